"""Cleaning rules that turn one raw (English, German) pair into zero or more training pairs.

DESIGN.md §3 fixes the rules; this module is the single place that implements them, in the order
they run in `clean_pair`:

0. catalog conventions are undone: freeciv-style "?qualifier:" prefixes and glib's older
   "context|text" msgids lose their context; '|'-separated alternatives that do not line up are
   dropped;
1. markup is dropped (known HTML/Pango/Qt rich-text tags, HTML character entities unescaped) but
   placeholder-like angle brackets such as `<file>` in a usage line stay, because they are
   content, not markup; non-HTML entities (`&brandShortName;`) stay as variables;
2. accelerator markers (`&File`, `_File`, `~File`) are stripped only when *both* sides carry one:
   a lone `_` or `&` on one side is more often an identifier or a literal than a mnemonic, and
   such a pair (one side marked, the other not) is dropped;
3. entries whose placeholders differ are dropped: a model trained on them learns to lose or invent
   `%s`, which is the worst error a software-translation service can make;
4. multi-line entries and prose are split into lines (unless hard-wrapped), then sentences, and the
   pieces are paired only when both sides split into the same number of pieces; otherwise the
   entry stays whole;
5. each resulting piece is dropped when empty, over-long, identical on both sides (up to case and
   punctuation), shorter than two letters, with a length ratio over 3, or when the "German" side
   is evidently English.

Deduplication happens later, over the whole corpus (see `build.py`).
"""

import html
import html.entities
import re

# Longest piece kept, on either side. Longer entries are paragraphs that did not split evenly;
# they are rare, hard to learn from, and blow up padded batches.
MAX_CHARS = 400
MAX_WORDS = 200

# Tags that are formatting, never content. Anything else in angle brackets (`<file>`, `<Datei>`,
# `<n>`) is left alone because it is part of what the user reads.
MARKUP_TAGS = frozenset("""
    a abbr b big blockquote body br center cite code dd del div dl dt em emphasis font guibutton
    guilabel guimenu guimenuitem guisubmenu h1 h2 h3 h4 h5 h6 head hr html i img ins kbd keycap
    li link literal markup nobr ol p pre q qt s samp small span strike strong sub sup table tbody
    td th thead tr tt u ul var filename command application option replaceable userinput
    systemitem menuchoice shortcut ahelp bookmark_value item emph caseinline defaultinline
    switchinline variable link embedvar
""".split())

ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
TAG_RE = re.compile(r"</?([A-Za-z][A-Za-z0-9_:-]*)(?:\s[^<>]*)?/?>")

# printf-style conversions (C, Python %-format, with positional `%1$s` and length modifiers),
# Python's `%(name)s`, Qt's `%1`, brace fields `{0}` `{name}` `{ $name }` (Python, C#, Fluent),
# shell-style `$VAR` `${VAR}` `$(VAR)`, and XML/DTD entity references `&brandShortName;`.
PLACEHOLDER_RE = re.compile(
    r"""
      %\((?P<pyname>[A-Za-z_][A-Za-z0-9_]*)\)[-+#0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]
    | %(?:\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?P<len>hh|h|ll|l|L|q|j|z|t|I64|I32|I)?
        (?P<conv>[diouxXeEfFgGaAcCspnS])
    | %\d+\$(?P<posconv>[A-Za-z])
    | %(?P<qt>[1-9][0-9]?)(?!\$)
    | \{\s*\$?[A-Za-z0-9_.-]*\s*\}
    | \$\{[A-Za-z0-9_.-]+\}
    | \$\([A-Za-z0-9_.-]+\)
    | \$[A-Za-z_][A-Za-z0-9_]*
    | &[A-Za-z][A-Za-z0-9_.-]*;
    """,
    re.VERBOSE,
)

# An accelerator is a marker directly before a letter or digit; `&&` and `__` are literals and
# `&name;` is an entity, so neither counts.
AMP_ACCEL_RE = re.compile(r"(?<!&)&(?=[^\W_])(?![A-Za-z0-9_.-]+;)")
UNDERSCORE_ACCEL_RE = re.compile(r"(?<![\w_])_(?=[^\W_])|(?<=[^\W_])_(?=[^\W_])")
TILDE_ACCEL_RE = re.compile(r"~(?=[^\W_])")

# Abbreviations after which a full stop does not end a sentence (German and English).
ABBREVIATIONS = frozenset("""
    z.B. z. B. d.h. d. h. u.a. u. a. bzw. ca. Nr. usw. etc. e.g. i.e. vs. Dr. Mr. Mrs. Ms. St.
    Abb. Tab. ggf. evtl. inkl. max. min. S. s. Hr. Fr. z.T. z. T. u.U. u. U. v.a. o.ä. o. ä. bzw.
    Bsp. vgl. sog. Std. Min. Sek. Jan. Feb. Apr. Aug. Sep. Sept. Okt. Nov. Dez. Dec. Oct. No.
    approx. Fig. ff. insb. zzgl. Inc. Ltd. Co.
""".split())
SENTENCE_END_RE = re.compile(r"(?<=[.!?:])\s+(?=[\"'„“»(]?[A-ZÄÖÜ0-9])")

WS_RE = re.compile(r"\s+")
# Disambiguation prefix some catalogs put in msgid (freeciv's "?plural:Acehnese", glib's Q_()).
QUALIFIER_RE = re.compile(r"^\?[^:?\n]{1,40}:")
LETTER_RE = re.compile(r"[^\W\d_]")

# Frequent words that are unambiguous for one language. A "German" side made of English function
# words is an untranslated or partly translated entry; words shared by both languages
# (in, an, so, was, also, die(!)) are left out on purpose.
ENGLISH_ONLY = frozenset(
    "the and of to is are you your this that with for from not be can will have has it its "
    "which would should could there their been were".split())
GERMAN_ONLY = frozenset(
    "der die das und ist nicht sie ein eine einen dem den des zu mit für von auf werden wird "
    "kann können wurde sind bitte oder auch sich diese dieser dieses keine kein".split())


def normalise_space(text):
    """Collapse every run of whitespace (tabs and newlines included) to one space."""
    return WS_RE.sub(" ", text).strip()


def strip_markup(text):
    """Remove formatting tags and unescape character entities; keep `<file>`-style content."""
    text = TAG_RE.sub(lambda m: " " if m.group(1).lower() in ("br", "p", "li") else
                      ("" if m.group(1).lower() in MARKUP_TAGS else m.group(0)), text)
    # Unescape only real character entities (HTML's named set and numeric ones); other names,
    # such as `&brandShortName;` or `&app;`, are substitution variables and stay as placeholders.
    return ENTITY_RE.sub(_unescape_entity, text)


def _unescape_entity(match):
    name = match.group(0)
    if name[1] == "#" or name[1:] in html.entities.html5:
        return html.unescape(name).replace("\xa0", " ")
    return name


def _count(regex, text):
    return len(regex.findall(text))


def strip_accelerators(en, de):
    """Strip the mnemonic marker of each kind that both sides carry exactly once.

    >>> strip_accelerators("_Open", "Ö_ffnen")
    ('Open', 'Öffnen')
    """
    for regex, literal in ((AMP_ACCEL_RE, ("&&", "&")),
                           (UNDERSCORE_ACCEL_RE, None),
                           (TILDE_ACCEL_RE, None)):
        if _count(regex, en) == 1 and _count(regex, de) == 1:
            en = regex.sub("", en)
            de = regex.sub("", de)
            if literal:
                en = en.replace(*literal)
                de = de.replace(*literal)
    return en, de


def unmatched_accelerator(en, de):
    """True when one side still has a single mnemonic marker and the other has none.

    Runs after `strip_accelerators`. "A_dd" against "Hinzufügen" (the translator dropped the
    mnemonic) or "target_url" against "Zieladresse" (an identifier used as msgid) would teach the
    model to emit stray markers; such pairs are dropped rather than guessed at.
    """
    for regex in (AMP_ACCEL_RE, UNDERSCORE_ACCEL_RE, TILDE_ACCEL_RE):
        counts = sorted((_count(regex, en), _count(regex, de)))
        if counts == [0, 1]:
            return True
    return False


def placeholders(text):
    """The placeholders of `text` as a sorted list of normalised tokens.

    printf conversions lose their position and flags (`%1$s` and `%s` are the same slot for this
    check; translators reorder with positions), everything else is compared verbatim.
    """
    found = []
    for m in PLACEHOLDER_RE.finditer(text.replace("%%", "")):
        if m.group("conv"):
            found.append("%" + (m.group("len") or "") + m.group("conv"))
        elif m.group("posconv"):
            # A positional conversion the C list does not know, e.g. GCC's %2$L (a locus): its
            # unpositioned twin %L is not recognised either, so neither side counts it.
            pass
        elif m.group("qt"):
            found.append("%" + m.group("qt"))
        else:
            found.append(WS_RE.sub("", m.group(0)))
    return sorted(found)


def split_sentences(text):
    """Split prose at sentence ends, not after common abbreviations or before lower case."""
    pieces = []
    start = 0
    for m in SENTENCE_END_RE.finditer(text):
        head = text[start:m.start()]
        last_word = head.rsplit(" ", 1)[-1]
        last_two = " ".join(head.rsplit(" ", 2)[-2:])
        if last_word in ABBREVIATIONS or last_two in ABBREVIATIONS:
            continue
        # "1." or "a." before the break is a list number or an initial, not a sentence end.
        if re.fullmatch(r"[0-9]{1,3}\.|[A-Za-zÄÖÜäöü]\.", last_word):
            continue
        pieces.append(head.strip())
        start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def is_wrapped(lines):
    """True for a paragraph hard-wrapped at a fixed width (a licence text, a --help blurb).

    Its line breaks fall wherever the width ran out, at different words in each language, so the
    lines do not pair; the paragraph is joined and split into sentences instead. A line that
    continues in lower case on the next line is the tell.
    """
    return any(following[:1].islower() and not current.endswith((".", ":", "!", "?"))
               for current, following in zip(lines, lines[1:]))


def align_pieces(en, de):
    """Pair lines, then sentences, where both sides split alike; else keep the entry whole."""
    en_lines = [line.strip() for line in en.split("\n") if line.strip()]
    de_lines = [line.strip() for line in de.split("\n") if line.strip()]
    if (len(en_lines) == len(de_lines) and len(en_lines) > 1
            and not is_wrapped(en_lines) and not is_wrapped(de_lines)):
        pairs = list(zip(en_lines, de_lines))
    else:
        pairs = [(normalise_space(en), normalise_space(de))]
    result = []
    for e, d in pairs:
        e, d = normalise_space(e), normalise_space(d)
        es, ds = split_sentences(e), split_sentences(d)
        if len(es) == len(ds) and len(es) > 1:
            result.extend(zip(es, ds))
        else:
            result.append((e, d))
    return result


def looks_german(de, en):
    """Reject a 'German' side that is evidently English, or has no letters at all."""
    if not LETTER_RE.search(de):
        return False
    words = re.findall(r"[^\W\d_]+", de.lower())
    english = sum(w in ENGLISH_ONLY for w in words)
    german = sum(w in GERMAN_ONLY for w in words)
    if english >= 2 and english > german:
        return False
    # Only case, spacing or punctuation changed: not a translation. Hyphens count, because
    # joining words with a hyphen ("IPA Server" -> "IPA-Server") is how German writes compounds.
    if re.sub(r"[^\w-]", "", de.casefold()) == re.sub(r"[^\w-]", "", en.casefold()):
        return False
    return True


def piece_ok(en, de):
    """Final checks on one aligned piece."""
    if not en or not de or en == de:
        return False
    for side in (en, de):
        if len(side) > MAX_CHARS or len(side.split()) > MAX_WORDS:
            return False
    # Fewer than two letters is a key, a unit or a symbol ("N" for an access key), not text.
    if len(LETTER_RE.findall(en)) < 2 or len(LETTER_RE.findall(de)) < 2:
        return False
    longer, shorter = max(len(en), len(de)), min(len(en), len(de))
    # German runs 10–30% longer than English; a 3x difference on anything but a short label is
    # a misalignment or a truncated translation.
    if longer > 15 and longer > 3 * shorter:
        return False
    if placeholders(en) != placeholders(de):
        return False
    return looks_german(de, en)


def clean_pair(en, de):
    """Apply every rule to one raw pair; return the list of (de, en) pairs to keep."""
    if en is None or de is None:
        return []
    en = en.replace("\r\n", "\n").replace("\r", "\n")
    de = de.replace("\r\n", "\n").replace("\r", "\n")
    en, de = QUALIFIER_RE.sub("", en), QUALIFIER_RE.sub("", de)
    # glib's older Q_("context|text") convention: the context sits in msgid before a '|'.
    if "|" in en and "|" not in de:
        en = en.rsplit("|", 1)[1]
    if en.count("|") != de.count("|"):
        return []  # '|'-separated alternatives that do not line up
    if en.strip() == de.strip() or not en.strip() or not de.strip():
        return []
    en, de = strip_markup(en), strip_markup(de)
    # Placeholders are compared on the whole entry first: a mismatch anywhere taints every piece.
    if placeholders(en) != placeholders(de):
        return []
    en, de = strip_accelerators(en, de)
    if unmatched_accelerator(en, de):
        return []
    kept = []
    for e, d in align_pieces(en, de):
        e, d = normalise_space(e), normalise_space(d)
        if piece_ok(e, d):
            kept.append((d, e))
    return kept
