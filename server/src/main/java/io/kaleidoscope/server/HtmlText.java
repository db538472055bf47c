package io.kaleidoscope.server;

import io.kaleidoscope.text.TextSegments;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTML for {@code format=html}: the markup (tags, comments, doctype, script and style contents)
 * is kept byte for byte where it stands, and each text node is translated on its own, as
 * LibreTranslate does. Text nodes are entity-decoded before translation and their translation is
 * escaped again ({@code & < >}). The splitter is deliberately lenient: anything it cannot read as
 * markup (a lone {@code <}, an unterminated tag) is text, so any input gives a well-formed answer.
 */
final class HtmlText {
    /** One stretch of the input: markup (kept) or a text node (raw as written, decoded for translation). */
    record Piece(String raw, boolean text) {
        /** The text to translate: entities decoded. */
        String decoded() {
            return decodeEntities(raw);
        }

        /**
         * Whether there is anything to translate in it: not only whitespace, no-break spaces
         * ({@code &nbsp;}) or invisible characters, which stay as written.
         */
        boolean translatable() {
            return text && TextSegments.hasSentence(decoded());
        }
    }

    /** Elements whose content is not prose: kept as markup up to their end tag. */
    private static final List<String> RAW_ELEMENTS = List.of("script", "style");

    /** Named entities beyond the XML five that German web text commonly uses. */
    private static final Map<String, String> ENTITIES = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", "\u00a0"), Map.entry("auml", "ä"), Map.entry("ouml", "ö"),
            Map.entry("uuml", "ü"), Map.entry("Auml", "Ä"), Map.entry("Ouml", "Ö"), Map.entry("Uuml", "Ü"),
            Map.entry("szlig", "ß"), Map.entry("euro", "€"), Map.entry("ndash", "–"), Map.entry("mdash", "—"),
            Map.entry("hellip", "…"), Map.entry("bdquo", "„"), Map.entry("ldquo", "“"), Map.entry("rdquo", "”"),
            Map.entry("sbquo", "‚"), Map.entry("lsquo", "‘"), Map.entry("rsquo", "’"), Map.entry("laquo", "«"),
            Map.entry("raquo", "»"), Map.entry("copy", "©"), Map.entry("reg", "®"), Map.entry("deg", "°"),
            Map.entry("sect", "§"), Map.entry("shy", "\u00ad"));

    private HtmlText() {}

    /**
     * Splits HTML into markup and text pieces; concatenating the raw pieces gives the input back.
     * Linear in the input's length, whatever it holds (a page of unclosed {@code <a} costs no more
     * than a page of text): where each tag would end is found once for all positions.
     */
    static List<Piece> split(String html) {
        List<Piece> pieces = new ArrayList<>();
        TagEnds tagEnds = new TagEnds(html);
        int lastCommentClose = html.lastIndexOf("-->");
        int textStart = 0;
        int i = 0;
        while (i < html.length()) {
            int end = markupEnd(html, i, tagEnds, lastCommentClose);
            if (end < 0) {
                i++;
                continue;
            }
            if (textStart < i) {
                pieces.add(new Piece(html.substring(textStart, i), true));
            }
            String rawElement = rawElement(html, i, end);
            if (rawElement != null) {
                // Script or style: everything up to its end tag stays markup.
                int close = indexOfIgnoreCase(html, "</" + rawElement, end);
                int closeEnd = close < 0 ? -1 : markupEnd(html, close, tagEnds, lastCommentClose);
                end = closeEnd < 0 ? html.length() : closeEnd;
            }
            pieces.add(new Piece(html.substring(i, end), false));
            i = end;
            textStart = end;
        }
        if (textStart < html.length()) {
            pieces.add(new Piece(html.substring(textStart), true));
        }
        return pieces;
    }

    /**
     * The first occurrence of an ASCII {@code needle} at or after {@code from}, ignoring case,
     * found in the text itself: lower-casing the whole text first would shift positions after
     * characters whose lower case is longer ("İ" becomes two chars).
     */
    private static int indexOfIgnoreCase(String text, String needle, int from) {
        for (int i = from; i + needle.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, needle, 0, needle.length())) {
                return i;
            }
        }
        return -1;
    }

    /** The pieces again, each translatable text node replaced by the next translation (escaped). */
    static String join(List<Piece> pieces, List<String> translations) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (Piece piece : pieces) {
            out.append(piece.translatable() ? escape(translations.get(next++)) : piece.raw());
        }
        return out.toString();
    }

    /**
     * Where the markup starting at {@code at} ends (exclusive), or -1 when the {@code <} there does
     * not open markup (a comparison sign in text, or a tag that never closes). {@code lastCommentClose}:
     * the last "-->" of the text, so a comment that never closes is known at once.
     */
    private static int markupEnd(String html, int at, TagEnds tagEnds, int lastCommentClose) {
        if (html.charAt(at) != '<' || at + 1 >= html.length()) {
            return -1;
        }
        if (html.startsWith("<!--", at)) {
            int close = lastCommentClose >= at + 4 ? html.indexOf("-->", at + 4) : -1;
            return close < 0 ? -1 : close + 3;
        }
        char next = html.charAt(at + 1);
        if (!Character.isLetter(next) && next != '/' && next != '!' && next != '?') {
            return -1;
        }
        int close = tagEnds.closeFrom(at + 1);
        return close < 0 ? -1 : close + 1;
    }

    /**
     * For every position, where a tag read from there ends: the first '>' outside quotes (a quote
     * opens with ' or " and closes with the same character). Computed once, right to left, so
     * that each '<' of the text costs a lookup, not a scan to the end.
     */
    private static final class TagEnds {
        private final int[] close;

        TagEnds(String html) {
            int n = html.length();
            close = new int[n + 1];
            close[n] = -1;
            int nextDouble = -1;   // the next '"' after the position being filled
            int nextSingle = -1;
            for (int k = n - 1; k >= 0; k--) {
                char c = html.charAt(k);
                if (c == '>') {
                    close[k] = k;
                } else if (c == '"' || c == '\'') {
                    int quoteEnd = c == '"' ? nextDouble : nextSingle;
                    close[k] = quoteEnd < 0 ? -1 : close[quoteEnd + 1];
                } else {
                    close[k] = close[k + 1];
                }
                if (c == '"') {
                    nextDouble = k;
                } else if (c == '\'') {
                    nextSingle = k;
                }
            }
        }

        /** The '>' that ends a tag read from {@code from} (outside quotes), or -1 when none does. */
        int closeFrom(int from) {
            return close[from];
        }
    }

    /** "script"/"style" when html[start, end) opens such an element, else null. */
    private static String rawElement(String html, int start, int end) {
        String tag = html.substring(start + 1, end).toLowerCase(Locale.ROOT);
        for (String name : RAW_ELEMENTS) {
            if (tag.startsWith(name) && (tag.length() == name.length() || !Character.isLetterOrDigit(tag.charAt(name.length())))
                    && !tag.endsWith("/>")) {
                return name;
            }
        }
        return null;
    }

    /** Decodes character references: decimal, hexadecimal and the named ones above; others stay as written. */
    static String decodeEntities(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int semi = c == '&' ? text.indexOf(';', i) : -1;
            String decoded = semi > i + 1 && semi - i <= 12 ? reference(text.substring(i + 1, semi)) : null;
            if (decoded == null) {
                out.append(c);
                i++;
            } else {
                out.append(decoded);
                i = semi + 1;
            }
        }
        return out.toString();
    }

    private static String reference(String name) {
        if (name.startsWith("#")) {
            try {
                boolean hex = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X');
                int code = Integer.parseInt(name.substring(hex ? 2 : 1), hex ? 16 : 10);
                boolean valid = code > 0 && code <= Character.MAX_CODE_POINT && !(code >= 0xD800 && code <= 0xDFFF);
                return valid ? Character.toString(code) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return ENTITIES.get(name);
    }

    /** Escapes what would otherwise read as markup in a text node. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
