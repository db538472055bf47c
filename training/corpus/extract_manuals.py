"""Pairs from Debian's own translated manuals (HTML rendered from one DocBook source per language).

The German and English HTML of each manual differ only in a language tag in the path, written
differently by each manual:
  debian-reference   usr/share/debian-reference/ch01.de.html       -> ch01.en.html
  debian-faq         usr/share/doc/debian/FAQ/de/basic-defs.de.html -> FAQ/basic-defs.en.html
  debian-history     .../docs/index.de.html                        -> index.en.html
  maint-guide        usr/share/doc/maint-guide-de/html/x.de.html   -> maint-guide/html/x.en.html
  developers-ref.    usr/share/developers-reference/de/x.html      -> developers-reference/x.html
  debian-handbook    usr/share/doc/debian-handbook/html/de-DE/x.html -> html/en-US/x.html
Each German file is tried against these rewrites; blocks pair by position within sections
(section ids come from the shared DocBook source, see `document_blocks.py`).
"""

import re

from . import document_blocks

ROOTS = ("usr/share/debian-reference/", "usr/share/doc/debian/FAQ/",
         "usr/share/doc/debian-history/", "usr/share/doc/maint-guide",
         "usr/share/developers-reference/", "usr/share/doc/debian-handbook/html/")

REWRITES = [
    (re.compile(r"^(usr/share/doc/debian/FAQ/)de/(.+)\.de\.html$"), r"\1\2.en.html"),
    (re.compile(r"^(usr/share/doc/)maint-guide-de/(.+)\.de\.html$"), r"\1maint-guide/\2.en.html"),
    (re.compile(r"^(usr/share/developers-reference/)de/(.+\.html)$"), r"\1\2"),
    (re.compile(r"^(usr/share/doc/debian-handbook/html/)de-DE/(.+\.html)$"), r"\1en-US/\2"),
    (re.compile(r"^(.+)\.de\.html$"), r"\1.en.html"),
]


def wanted(path):
    if not (path.startswith(ROOTS) and path.endswith(".html")):
        return False
    if path.startswith("usr/share/doc/debian-handbook/html/"):
        return "/de-DE/" in path or "/en-US/" in path  # 20 more languages ship in that package
    return True


def english_twin(path):
    for pattern, replacement in REWRITES:
        if pattern.match(path):
            return pattern.sub(replacement, path)
    return None


def pairs(files):
    for path in sorted(files):
        if not wanted(path):
            continue
        twin = english_twin(path)
        if twin is None or twin == path or twin not in files:
            continue
        yield from document_blocks.pair_by_position(
            files[twin].decode("utf-8", "replace"), files[path].decode("utf-8", "replace"))
