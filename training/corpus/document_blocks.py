"""Text blocks of an HTML or XML document, in document order, for pairing parallel documents.

Translated help (Mallard pages translated with itstool, KDE DocBook rendered from translated
sources, LibreOffice help pages) keeps the structure of the English original: the n-th paragraph of
the German page translates the n-th paragraph of the English page. This module turns a document
into the list of its blocks (paragraphs, titles, list items, table cells) so that the extractors
can pair them by position or by id. HTML's forgiving parser is used for XML too, because DocBook
and Mallard files use entities that a strict XML parser rejects.
"""

import html.parser

# Elements whose text is one translation unit. Nested blocks split their parent: the parent's own
# text around a nested block becomes a block of its own.
BLOCK_TAGS = frozenset("""
    p para title subtitle desc h1 h2 h3 h4 h5 h6 li dt dd td th caption term tip note
    screen pre programlisting blockquote div entry
""".split())

# Subtrees that are not translated prose: scripts, styles, Mallard/DocBook metadata (credits and
# links), and page navigation chrome.
SKIP_TAGS = frozenset("""
    script style head info mal:credit credit revhistory bookinfo articleinfo legalnotice
    authorgroup copyright its:rules noscript svg math
""".split())

# Mallard sequences: container -> separator, item -> container.
SEQUENCE_SEPARATORS = {"guiseq": " ▸ ", "keyseq": "+"}
SEQUENCE_ITEMS = {"gui": "guiseq", "key": "keyseq"}

VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class Block:
    __slots__ = ("tag", "ident", "anchor", "parts")

    def __init__(self, tag, ident, anchor):
        # anchor: the last id or <a name> seen before the block, i.e. the section it belongs to
        self.tag, self.ident, self.anchor, self.parts = tag, ident, anchor, []

    @property
    def text(self):
        return " ".join("".join(self.parts).split())


class _BlockParser(html.parser.HTMLParser):
    def __init__(self, id_attribute):
        super().__init__(convert_charrefs=True)
        self.id_attribute = id_attribute
        self.blocks = []
        self.stack = []  # open block-level elements, innermost last
        self.open_tags = []
        self.skip_depth = 0
        self.anchor = None
        self.sequence_counts = []  # open <guiseq>/<keyseq>: (tag, items seen so far)

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            if tag == "br" and self.stack and not self.skip_depth:
                self.stack[-1].parts.append("\n")
            return
        self.open_tags.append(tag)
        if self.skip_depth or tag in SKIP_TAGS:
            self.skip_depth += 1
            return
        attributes = dict(attrs)
        anchor = attributes.get("id") or (attributes.get("name") if tag == "a" else None)
        if anchor:
            self.anchor = anchor
        if tag in SEQUENCE_ITEMS and self.stack and self.sequence_counts:
            # Mallard's <guiseq><gui>A</gui><gui>B</gui></guiseq> renders as "A ▸ B" and
            # <keyseq> as "Ctrl+X"; translations often drop the whitespace between the items,
            # so the separator is written out for both languages alike.
            container, seen = self.sequence_counts[-1]
            if SEQUENCE_ITEMS[tag] == container:
                if seen:
                    self.stack[-1].parts.append(SEQUENCE_SEPARATORS[container])
                self.sequence_counts[-1] = (container, seen + 1)
        if tag in SEQUENCE_SEPARATORS:
            self.sequence_counts.append((tag, 0))
        if tag in BLOCK_TAGS:
            # Close the parent's text so far as a block; the rest of the parent starts a new one.
            if self.stack:
                parent = self.stack[-1]
                self._emit(parent)
                self.stack[-1] = Block(parent.tag, None, self.anchor)
            ident = attributes.get(self.id_attribute) if self.id_attribute else None
            self.stack.append(Block(tag, ident, self.anchor))

    def handle_startendtag(self, tag, attrs):
        if tag == "br" and self.stack and not self.skip_depth:
            self.stack[-1].parts.append("\n")

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or tag not in self.open_tags:
            return
        # Pop to the matching open tag, closing anything left open inside it.
        while self.open_tags:
            open_tag = self.open_tags.pop()
            if self.skip_depth:
                self.skip_depth -= 1
                if open_tag == tag:
                    break
                continue
            if open_tag in SEQUENCE_SEPARATORS and self.sequence_counts:
                self.sequence_counts.pop()
            if open_tag in BLOCK_TAGS and self.stack:
                self._emit(self.stack.pop())
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self.skip_depth and self.stack:
            self.stack[-1].parts.append(data)

    def _emit(self, block):
        if block.text:
            self.blocks.append(block)

    def close(self):
        super().close()
        while self.stack:
            self._emit(self.stack.pop())


def blocks(document, id_attribute=None):
    """The non-empty blocks of `document` (a str), in order; `id_attribute` names the id to keep."""
    parser = _BlockParser(id_attribute)
    parser.feed(document)
    parser.close()
    return parser.blocks


def _sections(doc_blocks):
    """Group blocks by the anchor (section id) they follow; ids are the same in both languages."""
    sections = {}
    for block in doc_blocks:
        sections.setdefault(block.anchor, []).append(block)
    return sections


def pair_by_position(en_doc, de_doc):
    """Pair the blocks of two parallel documents by position within each section.

    Sections are delimited by the element ids (and `<a name>` anchors) that both renderings share.
    A section whose block count differs is out of date or partly translated: its positions no
    longer correspond, so it is skipped rather than paired wrongly; the other sections still pair.
    """
    en_sections, de_sections = _sections(blocks(en_doc)), _sections(blocks(de_doc))
    pairs = []
    for anchor, en_blocks in en_sections.items():
        de_blocks = de_sections.get(anchor)
        if de_blocks is None or len(de_blocks) != len(en_blocks):
            continue
        pairs.extend((e.text, d.text) for e, d in zip(en_blocks, de_blocks) if e.tag == d.tag)
    return pairs


def pair_by_id(en_doc, de_doc, id_attribute="id"):
    """Pair blocks that carry the same id, each id used once on both sides."""
    def by_id(doc):
        found = {}
        for block in blocks(doc, id_attribute):
            if block.ident:
                found.setdefault(block.ident, []).append(block.text)
        return {k: v[0] for k, v in found.items() if len(v) == 1}
    en, de = by_id(en_doc), by_id(de_doc)
    return [(en[k], de[k]) for k in sorted(en.keys() & de.keys())]
