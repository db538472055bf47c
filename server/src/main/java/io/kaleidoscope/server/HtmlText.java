package io.kaleidoscope.server;

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

        /** Whether there is anything to translate in it. */
        boolean translatable() {
            return text && !decoded().isBlank();
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

    /** Splits HTML into markup and text pieces; concatenating the raw pieces gives the input back. */
    static List<Piece> split(String html) {
        List<Piece> pieces = new ArrayList<>();
        int textStart = 0;
        int i = 0;
        while (i < html.length()) {
            int end = markupEnd(html, i);
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
                int close = html.toLowerCase(Locale.ROOT).indexOf("</" + rawElement, end);
                int closeEnd = close < 0 ? -1 : markupEnd(html, close);
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
     * not open markup (a comparison sign in text, or a tag that never closes).
     */
    private static int markupEnd(String html, int at) {
        if (html.charAt(at) != '<' || at + 1 >= html.length()) {
            return -1;
        }
        if (html.startsWith("<!--", at)) {
            int close = html.indexOf("-->", at + 4);
            return close < 0 ? -1 : close + 3;
        }
        char next = html.charAt(at + 1);
        if (!Character.isLetter(next) && next != '/' && next != '!' && next != '?') {
            return -1;
        }
        char quote = 0;
        for (int i = at + 1; i < html.length(); i++) {
            char c = html.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i + 1;
            }
        }
        return -1;
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
