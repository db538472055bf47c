"""Pairs from gettext catalogs: compiled `.mo` files and shipped `de.po` sources.

In a German catalog msgid is the English source and msgstr the German translation. Plural entries
carry msgid / msgid_plural and msgstr[0..n]; German has two forms, so msgstr[0] pairs with the
singular and msgstr[1] with the plural. A msgctxt only disambiguates identical msgids and is not
part of either text. The header entry (empty msgid) is skipped.
"""

import ast
import struct

MO_MAGIC = 0x950412DE


def parse_mo(data):
    """Yield (english, german) pairs from the bytes of a GNU `.mo` file."""
    if len(data) < 28:
        return
    if struct.unpack_from("<I", data, 0)[0] == MO_MAGIC:
        endian = "<"
    elif struct.unpack_from(">I", data, 0)[0] == MO_MAGIC:
        endian = ">"
    else:
        return
    _, _, count, orig_off, trans_off = struct.unpack_from(endian + "5I", data, 0)
    charset = "utf-8"
    entries = []
    try:
        for i in range(count):
            olen, opos = struct.unpack_from(endian + "2I", data, orig_off + 8 * i)
            tlen, tpos = struct.unpack_from(endian + "2I", data, trans_off + 8 * i)
            entries.append((data[opos:opos + olen], data[tpos:tpos + tlen]))
    except struct.error:
        return  # truncated or corrupt catalog
    for orig, trans in entries:
        if orig == b"":
            # The header names the charset; almost all catalogs are UTF-8, a few are Latin-1.
            for line in trans.decode("ascii", "replace").split("\n"):
                if line.lower().startswith("content-type:") and "charset=" in line:
                    charset = line.split("charset=", 1)[1].strip() or "utf-8"
            break
    for orig, trans in entries:
        if orig == b"":
            continue
        try:
            en, de = orig.decode(charset), trans.decode(charset)
        except (LookupError, UnicodeDecodeError):
            # An unknown charset name (a template's literal "CHARSET") or a wrong one: try UTF-8.
            try:
                en, de = orig.decode("utf-8"), trans.decode("utf-8")
            except UnicodeDecodeError:
                continue
        if "\x04" in en:  # msgctxt \x04 msgid
            en = en.split("\x04", 1)[1]
        en_forms = en.split("\x00")
        de_forms = de.split("\x00")
        yield from _plural_pairs(en_forms, de_forms)


def _plural_pairs(en_forms, de_forms):
    """Singular with the first German form, plural with the second; ignore further forms."""
    if len(en_forms) == 1:
        yield en_forms[0], de_forms[0]
        return
    yield en_forms[0], de_forms[0]
    if len(de_forms) > 1:
        yield en_forms[1], de_forms[1]


def parse_po(text):
    """Yield (english, german) pairs from the text of a `.po` file.

    Fuzzy entries are skipped (msgfmt leaves them out of the `.mo` too: they are unreviewed
    guesses), as are obsolete `#~` entries.
    """
    entry, fuzzy, last_key = {}, False, None
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        has_msgstr = any(k.startswith("msgstr") for k in entry)
        starts_new = (not line or line.startswith("#")
                      or line.startswith("msgctxt") or line.startswith("msgid "))
        if has_msgstr and starts_new:
            if not fuzzy:
                yield from _po_entry_pairs(entry)
            entry, fuzzy, last_key = {}, False, None
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            if last_key is not None:
                entry[last_key] += _po_string(line)
            continue
        key, _, rest = line.partition(" ")
        entry[key] = _po_string(rest)
        last_key = key


def _po_entry_pairs(entry):
    if not entry.get("msgid"):
        return
    en_forms = [entry["msgid"]]
    if "msgid_plural" in entry:
        en_forms.append(entry["msgid_plural"])
        de_forms = [entry.get("msgstr[%d]" % i, "") for i in range(2)]
    else:
        de_forms = [entry.get("msgstr", "")]
    for en, de in _plural_pairs(en_forms, de_forms):
        if de:
            yield en, de


def _po_string(token):
    """Decode one quoted PO string with C escapes (\\n, \\t, \\", octal)."""
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        return ""
    try:
        # PO escapes are a subset of Python's; decode on bytes to keep UTF-8 intact.
        return ast.literal_eval("b" + token).decode("utf-8") if token.isascii() else \
            ast.literal_eval(token)
    except (ValueError, SyntaxError, UnicodeDecodeError):
        return token[1:-1]
