"""Pairs from the Ding German–English dictionary (package `trans-de-en`, file usr/share/trans/de-en).

Each line is `German :: English`. Both sides list the same sub-entries separated by ` | `
(headword, plural, example phrases); within a sub-entry `;` separates synonyms. Grammar and
subject annotations in `{}`, `[]` and `<>` (`{m}`, `[ugs.]`, `<spelling variant>`) and
abbreviations between slashes (` /FPROM/`) are removed;
round-bracket glosses stay, because the other side glosses them too.
Synonym lists pair item by item when both have the same length, else only the first items
(the headwords) are paired.

Only phrases are kept (at least MIN_WORDS English words, and no dictionary placeholders such as
"sb."/"sth."/"jdm."/"etw."): single headwords would be 120k one-word pairs, which would swamp the
software text the service translates, and placeholder notation is not text anyone sends.
"""

import re

# {m} {pl} gender/number, [ugs.] register/subject, <variant spellings>, and " /FPROM/"
# abbreviations written between slashes.
ANNOTATION_RE = re.compile(r"\{[^{}]*\}|\[[^\[\]]*\]|<[^<>]*>|\s/[^/;|]+/(?=\s|$|;)")
PATH = "usr/share/trans/de-en"
MIN_WORDS = 3  # counted without round-bracket glosses
PAREN_RE = re.compile(r"\([^()]*\)")
DICTIONARY_PLACEHOLDER_RE = re.compile(
    r"\b(sb|sth|sb's|jd|jdm|jdn|jds|etw|etw\.s)\.|\bsb's\b|\bsomebody\b|\bsomething\b|\bjemand(em|en|es)?\b|\betwas\b(?=\s*$)")


def wanted(path):
    return path == PATH


def _clean(text):
    return " ".join(ANNOTATION_RE.sub("", text).split()).strip(" ;,")


def parse_line(line):
    """Yield (english, german) pairs from one dictionary line."""
    if line.startswith("#") or " :: " not in line:
        return
    german, english = line.split(" :: ", 1)
    de_entries, en_entries = german.split(" | "), english.split(" | ")
    if len(de_entries) != len(en_entries):
        de_entries, en_entries = de_entries[:1], en_entries[:1]
    for de_entry, en_entry in zip(de_entries, en_entries):
        # Annotations go first: `{outwent; outgone}` holds a ';' that is not a synonym break.
        de_items = [_clean(x) for x in ANNOTATION_RE.sub("", de_entry).split(";")]
        en_items = [_clean(x) for x in ANNOTATION_RE.sub("", en_entry).split(";")]
        if len(de_items) != len(en_items):
            de_items, en_items = de_items[:1], en_items[:1]
        for de, en in zip(de_items, en_items):
            if (de and en and len(PAREN_RE.sub("", en).split()) >= MIN_WORDS
                    and not DICTIONARY_PLACEHOLDER_RE.search(de)
                    and not DICTIONARY_PLACEHOLDER_RE.search(en)):
                yield en, de


def pairs(files):
    data = files.get(PATH)
    if data is None:
        return
    for line in data.decode("utf-8", "replace").splitlines():
        yield from parse_line(line)
