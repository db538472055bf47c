"""Pairs from Firefox ESR and Thunderbird: the German language pack against the en-US strings.

The language pack (`firefox-esr-l10n-de`, `thunderbird-l10n-de`) is an .xpi (a zip) holding
Fluent `.ftl`, `.properties` and `.dtd` files under paths like
`browser/localization/de/browser/foo.ftl` or `chrome/de/locale/de/global/bar.properties`. The
English originals live in the application package's `omni.ja` zips under the same relative path
with `en-US` in place of `de`. A pair is the English and German value of the same message id (and
attribute) in the same relative file.

Fluent messages with select expressions (plural and gender variants) are skipped: their variants
do not line up one to one between languages. Term references such as `{ -brand-short-name }` are
resolved to the term's value (Firefox, Thunderbird, ...), so product names read as text.
"""

import io
import re
import zipfile

LOCALE_SEGMENTS = frozenset(["de", "en-US"])

FTL_MESSAGE_RE = re.compile(r"^(-?[A-Za-z][A-Za-z0-9_-]*)\s*=\s?(.*)$")
FTL_ATTRIBUTE_RE = re.compile(r"^\s+\.([A-Za-z][A-Za-z0-9_-]*)\s*=\s?(.*)$")
FTL_TERM_REF_RE = re.compile(r"\{\s*(-[A-Za-z][A-Za-z0-9_-]*)\s*\}")
DTD_ENTITY_RE = re.compile(r'<!ENTITY\s+([\w.-]+)\s+(?:"([^"]*)"|\'([^\']*)\')\s*>', re.S)


def relative_key(path):
    """A path with its locale folders removed, so the de and en-US copies get the same key.

    The language pack's leading `browser/` corresponds to the separate `browser/omni.ja`, whose
    members have no such prefix; dropping it makes both sides line up.
    """
    parts = [p for p in path.split("/") if p not in LOCALE_SEGMENTS]
    if parts and parts[0] == "browser":
        parts = parts[1:]
    return "/".join(parts)


def parse_ftl(text):
    """Return ({(id, attribute): value}, {term: value}) for one Fluent file.

    Multi-line values are joined with spaces; values with select expressions are left out.
    """
    entries, terms = {}, {}
    current = None  # key of the entry whose value continuation lines extend
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            current = None if not line.strip() and current is None else current
            continue
        m = FTL_MESSAGE_RE.match(line)
        if m and not line[0].isspace():
            message = m.group(1)
            current = (message, None)
            entries[current] = m.group(2).strip()
            continue
        m = FTL_ATTRIBUTE_RE.match(line)
        if m and current is not None:
            current = (current[0], m.group(1))
            entries[current] = m.group(2).strip()
            continue
        if line[0].isspace() and current is not None:
            entries[current] = (entries[current] + " " + line.strip()).strip()
    values = {}
    for (message, attribute), value in entries.items():
        if "->" in value or not value:
            continue
        if message.startswith("-"):
            if attribute is None:
                terms[message] = value
            continue
        values[(message, attribute)] = value
    return values, terms


def parse_properties(text):
    """Return {key: value} for a Java-style .properties file (escapes and continuations)."""
    values = {}
    logical = ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if not logical and (not stripped or stripped[0] in "#!"):
            continue
        if stripped.endswith("\\") and not stripped.endswith("\\\\"):
            logical += stripped[:-1]
            continue
        logical += stripped
        m = re.match(r"([^=:\s]+)\s*[=:]\s*(.*)$", logical)
        if m:
            values[m.group(1)] = _unescape_properties(m.group(2))
        logical = ""
    return values


def _unescape_properties(value):
    value = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), value)
    return value.replace("\\n", "\n").replace("\\t", " ").replace("\\:", ":") \
        .replace("\\=", "=").replace("\\\\", "\\")


def parse_dtd(text):
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in DTD_ENTITY_RE.finditer(text)}


def read_catalog(zip_bytes_list):
    """All messages of a set of zips: {(relative file key, message id): value}, plus terms."""
    messages, terms = {}, {}
    for data in zip_bytes_list:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if not (name.endswith(".ftl") or name.endswith(".properties")
                        or name.endswith(".dtd")):
                    continue
                parts = name.split("/")
                if not LOCALE_SEGMENTS & set(parts):
                    continue  # not a localisation file (e.g. res/language.properties)
                text = archive.read(name).decode("utf-8", "replace")
                key = relative_key(name)
                if name.endswith(".ftl"):
                    values, file_terms = parse_ftl(text)
                    terms.update(file_terms)
                    for (message, attribute), value in values.items():
                        messages[(key, message + ("." + attribute if attribute else ""))] = value
                elif name.endswith(".properties"):
                    for message, value in parse_properties(text).items():
                        messages[(key, message)] = value
                else:
                    for message, value in parse_dtd(text).items():
                        messages[(key, message)] = value
    return messages, terms


def _resolve_terms(value, terms):
    # A term may refer to another term (-brand-full-name uses -brand-short-name); two passes do.
    for _ in range(2):
        value = FTL_TERM_REF_RE.sub(lambda m: terms.get(m.group(1), m.group(0)), value)
    return value


def _plural_split(en, de):
    """.properties plurals are ';'-separated forms; German and English both have two."""
    en_forms, de_forms = en.split(";"), de.split(";")
    if len(en_forms) == len(de_forms) == 2:
        return list(zip(en_forms, de_forms))
    return [(en, de)]


# Message ids (or Fluent attributes) that hold a keyboard key, not text: "accesskey = N",
# ".commandkey = F", "find.key". Their values are single letters chosen per language.
KEY_ID_RE = re.compile(r"(accesskey|accessKey|commandkey|commandKey|\.key|Key|\.shortcut|keycode)$")


def pairs(en_zips, de_zips):
    """Yield (english, german) for every message id present in both languages."""
    en_messages, en_terms = read_catalog(en_zips)
    de_messages, de_terms = read_catalog(de_zips)
    for key in sorted(en_messages.keys() & de_messages.keys()):
        if KEY_ID_RE.search(key[1]):
            continue
        en = _resolve_terms(en_messages[key], en_terms)
        de = _resolve_terms(de_messages[key], de_terms)
        if key[0].endswith(".properties") and ";" in en and ";" in de:
            yield from _plural_split(en, de)
        else:
            yield en, de
