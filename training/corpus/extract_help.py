"""Pairs from translated documentation: LibreOffice help, GNOME Mallard help, KDE handbooks.

Each source ships the German and the English rendering of the same document; the file paths differ
only in the language folder, so the English twin of a German file is found by rewriting that
folder. Blocks are then paired
- by paragraph id for LibreOffice help (every paragraph carries a stable `id="par_id…"`), and
- by position within each section for Mallard pages and KDE handbooks (translations are generated
  from the English source by itstool / KDE's po pipeline and keep its structure).
See `document_blocks.py` for what a block is and when a section is skipped.
"""

import bz2
import re

from . import document_blocks

LIBREOFFICE_DE = re.compile(r"^usr/share/libreoffice/help/de/(.+\.html)$")
MALLARD_DE = re.compile(r"^usr/share/help/de/(.+\.(?:page|xml|docbook))$")
KDE_DE = re.compile(r"^usr/share/doc/HTML/de/(.+index\.cache\.bz2)$")


def wanted(path):
    """Paths these extractors read, in either language."""
    return (path.startswith("usr/share/libreoffice/help/de/")
            or path.startswith("usr/share/libreoffice/help/en-US/")
            or path.startswith("usr/share/help/de/") or path.startswith("usr/share/help/C/")
            ) and path.endswith((".html", ".page", ".xml", ".docbook")) \
        or (path.startswith("usr/share/doc/HTML/de/") or path.startswith("usr/share/doc/HTML/en/")
            ) and path.endswith("index.cache.bz2")


def _text(data):
    return data.decode("utf-8", "replace")


def libreoffice_pairs(files):
    for path in sorted(files):
        m = LIBREOFFICE_DE.match(path)
        if not m:
            continue
        en = files.get("usr/share/libreoffice/help/en-US/" + m.group(1))
        if en is not None:
            yield from document_blocks.pair_by_id(_text(en), _text(files[path]))


def mallard_pairs(files):
    for path in sorted(files):
        m = MALLARD_DE.match(path)
        if not m:
            continue
        en = files.get("usr/share/help/C/" + m.group(1))
        if en is not None:
            yield from document_blocks.pair_by_position(_text(en), _text(files[path]))


def kde_pairs(files):
    for path in sorted(files):
        m = KDE_DE.match(path)
        if not m:
            continue
        en = files.get("usr/share/doc/HTML/en/" + m.group(1))
        if en is not None:
            try:
                en_doc, de_doc = bz2.decompress(en), bz2.decompress(files[path])
            except (OSError, ValueError):
                continue
            yield from document_blocks.pair_by_position(_text(en_doc), _text(de_doc))
