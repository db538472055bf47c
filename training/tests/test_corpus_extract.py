"""Extractors of the corpus builder: gettext, Ding, Fluent/properties, parallel help documents."""

import struct

from training.corpus import document_blocks, extract_ding, extract_gettext, extract_mozilla

PO = r'''
msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\n"

#: a.c:1
msgid "Open file"
msgstr "Datei öffnen"

#, fuzzy
msgid "Close"
msgstr "Schließen"

msgctxt "menu"
msgid "One file"
msgid_plural "%d files"
msgstr[0] "Eine Datei"
msgstr[1] "%d Dateien"

msgid "Line\n"
"two"
msgstr "Zeile\n"
"zwei"

#~ msgid "old"
#~ msgstr "alt"
'''


def test_po_plural_context_fuzzy_obsolete():
    assert list(extract_gettext.parse_po(PO)) == [
        ("Open file", "Datei öffnen"),
        ("One file", "Eine Datei"),
        ("%d files", "%d Dateien"),
        ("Line\ntwo", "Zeile\nzwei"),
    ]


def _mo(entries):
    """A minimal little-endian .mo file holding `entries` (bytes, bytes) in the given order."""
    header = 28
    count = len(entries)
    orig_table = header
    trans_table = orig_table + 8 * count
    data_start = trans_table + 8 * count
    blob, origs, transs = b"", [], []
    for orig, trans in entries:
        origs.append((len(orig), data_start + len(blob)))
        blob += orig + b"\0"
        transs.append((len(trans), data_start + len(blob)))
        blob += trans + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, orig_table, trans_table, 0, 0)
    for length, offset in origs + transs:
        out += struct.pack("<2I", length, offset)
    return out + blob


def test_mo_plural_and_context():
    data = _mo([(b"", b"Content-Type: text/plain; charset=UTF-8\n"),
                (b"menu\x04Open", "Öffnen".encode()),
                (b"One file\x00%d files", b"Eine Datei\x00%d Dateien")])
    assert list(extract_gettext.parse_mo(data)) == [
        ("Open", "Öffnen"), ("One file", "Eine Datei"), ("%d files", "%d Dateien")]


def test_ding_line():
    line = ("Aalsuppe {f} [cook.] | Aalsuppen essen wir gern {pl} :: eel soup | "
            "we like eating eel soups")
    assert list(extract_ding.parse_line(line)) == [
        ("we like eating eel soups", "Aalsuppen essen wir gern")]
    assert list(extract_ding.parse_line("etw. tun :: to do sth. at all")) == []


def test_fluent_values_attributes_and_select_expressions():
    ftl = ("-brand-short-name = Firefox\n"
           "open = Open { -brand-short-name }\n"
           "    .title = Open it\n"
           "tabs = { $n ->\n    [one] One tab\n   *[other] { $n } tabs\n}\n"
           "long = First line\n    second line\n")
    values, terms = extract_mozilla.parse_ftl(ftl)
    assert terms == {"-brand-short-name": "Firefox"}
    assert values == {("open", None): "Open { -brand-short-name }",
                      ("open", "title"): "Open it",
                      ("long", None): "First line second line"}


def test_properties_escapes_and_paths():
    assert extract_mozilla.parse_properties("# c\na = Caf\\u00e9 %S\nb=x\\\n  y\n") == {
        "a": "Café %S", "b": "xy"}
    assert extract_mozilla.relative_key("browser/chrome/de/locale/browser/x.properties") == \
        extract_mozilla.relative_key("chrome/en-US/locale/browser/x.properties")


def test_help_pairs_by_position_within_sections_and_by_id():
    en = '<page><title>Title</title><section id="a"><p>One.</p><p>Two.</p></section>' \
         '<section id="b"><p>Three.</p></section></page>'
    de = '<page><title>Titel</title><section id="a"><p>Eins.</p><p>Zwei.</p></section>' \
         '<section id="b"><p>Drei.</p><p>Extra.</p></section></page>'
    # Section b has a different paragraph count and is skipped; the rest pairs by position.
    assert document_blocks.pair_by_position(en, de) == [
        ("Title", "Titel"), ("One.", "Eins."), ("Two.", "Zwei.")]
    en = '<p id="par_1">Hello <b>world</b></p><p id="par_2">Bye</p>'
    de = '<p id="par_2">Tschüss</p><p id="par_1">Hallo <b>Welt</b></p>'
    assert document_blocks.pair_by_id(en, de) == [("Hello world", "Hallo Welt"), ("Bye", "Tschüss")]


def test_mallard_gui_and_key_sequences_get_separators():
    page = ('<page><p>Wählen Sie <guiseq><gui>Bearbeiten</gui><gui>Einstellungen</gui></guiseq>'
            ' oder <keyseq><key>Strg</key><key>X</key></keyseq>.</p></page>')
    assert [b.text for b in document_blocks.blocks(page)] == [
        "Wählen Sie Bearbeiten ▸ Einstellungen oder Strg+X."]


def test_mozilla_access_keys_skipped():
    import io
    import zipfile

    def xpi(files):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        return buffer.getvalue()

    en = xpi({"localization/en-US/a.ftl": "save = Save\n    .accesskey = S\n"})
    de = xpi({"localization/de/a.ftl": "save = Speichern\n    .accesskey = p\n"})
    assert list(extract_mozilla.pairs([en], [de])) == [("Save", "Speichern")]
