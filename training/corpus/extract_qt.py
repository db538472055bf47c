"""Pairs from Qt's compiled translation catalogs (`*_de.qm`).

A `.qm` file is a 16-byte magic followed by tagged sections (one tag byte, a big-endian u32
length). The messages section (tag 0x69) is a stream of records, each a sequence of tagged
fields ending with tag 1:
  3  translation  (u32 byte length + UTF-16BE; repeated once per plural form; length 0xFFFFFFFF
                   means "no translation")
  6  source text  (u32 length + UTF-8)
  7  context      (u32 length + UTF-8)
  8  comment      (u32 length + UTF-8)
  5/9 obsolete markers without payload, 2/4 old UTF-16 source/context (skipped).
lrelease can strip source texts (id-based catalogs); such records give no pair and are skipped.
"""

import struct

QM_MAGIC = bytes.fromhex("3CB86418CAEF9C95CD211CBF60A1BDDD")
SECTION_MESSAGES = 0x69

TAG_END, TAG_SOURCE16, TAG_TRANSLATION, TAG_CONTEXT16 = 1, 2, 3, 4
TAG_OBSOLETE1, TAG_SOURCE, TAG_CONTEXT, TAG_COMMENT, TAG_OBSOLETE2 = 5, 6, 7, 8, 9


def parse_qm(data):
    """Yield (english, german) pairs; plural forms pair the one source with the first form."""
    if not data.startswith(QM_MAGIC):
        return
    pos = len(QM_MAGIC)
    while pos + 5 <= len(data):
        tag = data[pos]
        (length,) = struct.unpack_from(">I", data, pos + 1)
        body = data[pos + 5:pos + 5 + length]
        pos += 5 + length
        if tag == SECTION_MESSAGES:
            yield from _messages(body)


def _messages(body):
    pos = 0
    source, translations = None, []
    while pos < len(body):
        tag = body[pos]
        pos += 1
        if tag == TAG_END:
            if source and translations:
                # German plural: the first form is the singular, which matches a source text
                # written for the general case only loosely; the first form is the safer pair.
                yield source, translations[0]
            source, translations = None, []
        elif tag in (TAG_OBSOLETE1, TAG_OBSOLETE2):
            continue
        elif tag in (TAG_TRANSLATION, TAG_SOURCE16, TAG_CONTEXT16, TAG_SOURCE, TAG_CONTEXT,
                     TAG_COMMENT):
            if pos + 4 > len(body):
                return
            (length,) = struct.unpack_from(">I", body, pos)
            pos += 4
            if length == 0xFFFFFFFF:
                continue
            payload = body[pos:pos + length]
            pos += length
            if tag == TAG_TRANSLATION:
                translations.append(payload.decode("utf-16-be", "replace"))
            elif tag == TAG_SOURCE:
                source = payload.decode("utf-8", "replace")
            elif tag == TAG_SOURCE16:
                source = payload.decode("utf-16-be", "replace")
        else:
            # Unknown tag: the record layout is lost, stop rather than emit misaligned pairs.
            return
