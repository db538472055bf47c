package io.kaleidoscope.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of hostile requests for {@link HostileInputTest}: the same seed gives the same
 * cases, byte for byte. Each case says how it is sent (HttpClient, or raw bytes over a socket) and,
 * where the answer is certain, the status it must get; otherwise the test accepts any 4xx with a
 * JSON error or a 200 whose translation has the shape the request asks for.
 *
 * <p>Most cases are refused by validation before they reach the model; the ones that translate use
 * short texts (the server under test runs beam 1 with a small character limit).
 */
final class HostileCases {
    static final String LIBRE = "/translate";
    static final String NATIVE = "/v1/translate";
    static final String JSON = "application/json";
    static final String FORM = "application/x-www-form-urlencoded";

    /** Bytes to send over a raw socket: in pieces of {@code piece} bytes, {@code pauseMillis} apart (piece ≤ 0: at once). */
    record Raw(byte[] bytes, int piece, long pauseMillis, boolean mayClose) {}

    /**
     * One request. {@code expectStatus} 0: any 4xx with a JSON error, or a 200 of the right shape
     * when method, path, content type and body make a translation request. {@code raw} non-null:
     * sent as those bytes; method, path, content type and body then only describe it for the checks.
     * {@code mayClose}: the server may close the connection without answering (not HTTP at all).
     */
    record Case(String category, String method, String path, String contentType, byte[] body, List<String[]> headers,
                boolean chunked, int expectStatus, Raw raw) {
        int headerBytes() {
            return headers.stream().mapToInt(h -> h[0].length() + h[1].length() + 4).sum();
        }

        String describe() {
            String what = raw != null ? "raw " + abbreviate(printable(raw.bytes()), 160)
                    : method + " " + path + " [" + contentType + "] " + abbreviate(printable(body), 160)
                    + (headers.isEmpty() ? "" : " + " + headers.size() + " headers of " + headerBytes() + " bytes");
            return category + ": " + what;
        }
    }

    private static final String[] PHRASES = {
        "Datei öffnen", "Fenster schließen", "Neuer Ordner", "Bild speichern", "Drucker nicht gefunden",
        "Einstellungen speichern", "Die Datei wurde nicht gefunden.", "Hallo Welt", "Guten Morgen", "Vielen Dank",
        "Fehler beim Laden", "Ordner löschen", "Seite drucken", "Passwort ändern", "Konto erstellen",
        "Größe", "Straße", "Bitte warten", "Abbrechen", "Weiter",
    };
    private static final String[] WRONG_VALUES = {
        "5", "-1", "0", "1.5", "true", "false", "null", "{}", "[]", "[[]]", "{\"a\": 1}", "\"x\"", "[1, 2]", "[null]",
        "[\"a\", 1]", "\"\"", "[\"Hallo\", [\"Welt\"]]", "{\"q\": \"Hallo\"}", "[true]", "-0", "1e2", "\"1\"",
    };
    private static final String[] HUGE_NUMBERS = {
        "1e999999", "-1e999999", "1e-999999", "123456789012345678901234567890", "2147483648", "-2147483649",
        "9223372036854775808", "-9223372036854775809", "0.0000000000000000000001", "1E+308", "1.7976931348623157E309",
        "4.9E-325", "1.0", "1e0", "16", "17", "2147483647", "-2147483648", "0e0", "18446744073709551616",
    };
    private static final byte[][] BAD_UTF8 = {
        {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF5}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFE}, {(byte) 0xFF},
        {(byte) 0xC3}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xC3, (byte) 0x28},
        {(byte) 0xE2, (byte) 0x28, (byte) 0xA1}, {(byte) 0xF0, (byte) 0x28, (byte) 0x8C, (byte) 0xBC},
        {(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80},   // CESU-8 surrogate pair
    };
    private static final String[] LONE_SURROGATES = {
        "\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\udc00\\ud800", "\\ud800\\ud800", "\\ud83d", "\\ude00", "\\uD800x",
        "x\\uDFFF", "\\ud800\\u0041",
    };
    private static final String[] SCRIPTS = {
        "مرحبا بالعالم", "שלום עולם", "\u202eDatei öffnen\u202c", "\u200fHallo\u200e", "e\u0301e\u0301e\u0301",
        "Z" + "\u0336\u0337\u0338\u0335\u0334".repeat(6), "😀", "👩‍👩‍👧‍👦", "🇩🇪🇬🇧", "👍🏽 Danke", "Hallo 🌍", "漢字テスト", "नमस्ते",
        "𝕳𝖆𝖑𝖑𝖔", "Ａｂｃ", "\u0000", "ﬀ ﬁ ﬂ", "Ǆ ǅ ǆ", "ß ẞ", "İstanbul", "Ω≈ç√∫", "\ud83d\udca9\u0301",
        "a\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309", "Ⅻ ⅻ", "\u0e01\u0e34\u0e4a", "ᚠᛇᚻ",
    };
    private static final String[] BLANKS = {
        "", " ", "  ", "\t", "\n", "\r\n", " \t\n ", "\u000b", "\u000c", "\u001c\u001d\u001e\u001f", "\u2003", "\u3000",
        "\u2028", "\u2029", "\u00a0", "\u200b", "\ufeff", "\u180e", " \u00a0 ", "\u2007", "\u202f",
    };
    private static final String[] CONTENT_TYPES = {
        "text/plain", "application/xml", "text/html", "multipart/form-data; boundary=xyz", "application/json; charset=iso-8859-1",
        "application/json; charset=utf-16", "APPLICATION/JSON", "application/x-www-form-urlencoded; charset=utf-8",
        "APPLICATION/X-WWW-FORM-URLENCODED", "application/octet-stream", "*/*", "application/json, text/plain", ";", "x",
        "application/x-www-form-urlencodedXYZ", "application/vnd.api+json", "image/png", "application/json;;;",
        "application/json; boundary=\"\"", "text/json", "",
    };
    private static final String[] METHODS = {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "PROPFIND", "post"};
    private static final String[] PATHS = {
        "/translate/", "/TRANSLATE", "/v1/translate/", "/v1/Translate", "/v2/translate", "/v1", "/", "/translate/x", "/nope",
        "/translate%00", "/translate%2F", "/%2e%2e/translate", "/v1/translate%20", "/languages/x", "/v1/models/x", "/ready/",
        "/metrics/x", "/" + "a".repeat(2000), "/translate;jsessionid=1", "/%ff%fe", "/%C3%28", "/%ud800",
    };
    private static final String[] FIELD_NAMES = {
        "", " ", "Q", "TEXTS", "q ", "__proto__", "constructor", "apiKey", "api-key", "x".repeat(3000), "\\u0000",
        "ключ", "🔑", "\\ud800", "texts\\u0000", "$where", "q.q", "a\\\"b",
    };

    private final Random rnd;
    private final int maxChars;
    private final int maxTexts;
    private final int maxBodyBytes;

    HostileCases(long seed, int maxChars, int maxTexts, int maxBodyBytes) {
        this.rnd = new Random(seed);
        this.maxChars = maxChars;
        this.maxTexts = maxTexts;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The fixed cases (limits, 10 MB, nesting depths, ...) then random ones up to {@code total} HttpClient cases. */
    List<Case> httpCases(int total) {
        List<Case> cases = new ArrayList<>();
        limits(cases);
        tenMegabytes(cases);
        nestingDepths(cases);
        manyTexts(cases);
        headerFloods(cases);
        methodsAndPaths(cases);
        record Weighted(int weight, Runnable add) {}
        List<Weighted> random = List.of(
                new Weighted(18, () -> cases.add(malformedJson())),
                new Weighted(12, () -> cases.add(wrongType())),
                new Weighted(5, () -> cases.add(hugeNumber())),
                new Weighted(3, () -> cases.add(randomNesting())),
                new Weighted(8, () -> cases.add(invalidUtf8())),
                new Weighted(5, () -> cases.add(loneSurrogate())),
                new Weighted(5, () -> cases.add(controlCharacters())),
                new Weighted(3, () -> cases.add(scripts())),
                new Weighted(3, () -> cases.add(blank())),
                new Weighted(4, () -> cases.add(unknownFields())),
                new Weighted(5, () -> cases.add(contentType())),
                new Weighted(4, () -> cases.add(methodMismatch())),
                new Weighted(3, () -> cases.add(overLimit())),
                new Weighted(2, () -> cases.add(apiKey())),
                new Weighted(3, () -> cases.add(html())));
        int sum = random.stream().mapToInt(Weighted::weight).sum();
        while (cases.size() < total) {
            int pick = rnd.nextInt(sum);
            for (Weighted w : random) {
                pick -= w.weight();
                if (pick < 0) {
                    w.add().run();
                    break;
                }
            }
        }
        return cases;
    }

    // ---------------------------------------------------------------- building blocks

    private String phrase() {
        return PHRASES[rnd.nextInt(PHRASES.length)];
    }

    private <T> T pick(T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private boolean libre() {
        return rnd.nextBoolean();
    }

    /** A valid LibreTranslate JSON body around q (a JSON value), with the optional fields at random. */
    private String libreBody(String q) {
        StringBuilder b = new StringBuilder("{\"q\": ").append(q);
        if (rnd.nextBoolean()) {
            b.append(", \"source\": ").append(rnd.nextBoolean() ? "\"de\"" : "\"auto\"");
        }
        if (rnd.nextBoolean()) {
            b.append(", \"target\": \"en\"");
        }
        if (rnd.nextInt(4) == 0) {
            b.append(", \"format\": \"text\"");
        }
        if (rnd.nextInt(4) == 0) {
            b.append(", \"alternatives\": ").append(rnd.nextInt(3));
        }
        return b.append('}').toString();
    }

    private String nativeBody(String texts) {
        StringBuilder b = new StringBuilder("{\"texts\": ").append(texts).append(", \"beam\": 1");
        if (rnd.nextBoolean()) {
            b.append(", \"model\": \"tiny-kmatrix\"");
        }
        if (rnd.nextBoolean()) {
            b.append(", \"return_timings\": ").append(rnd.nextBoolean());
        }
        return b.append('}').toString();
    }

    /** A valid body for either endpoint carrying these texts (as JSON strings, already quoted). */
    private Case validJson(String category, List<String> quotedTexts, boolean arrayForLibre) {
        if (libre()) {
            String q = arrayForLibre || quotedTexts.size() != 1 ? "[" + String.join(", ", quotedTexts) + "]" : quotedTexts.get(0);
            return json(category, LIBRE, libreBody(q), 0);
        }
        return json(category, NATIVE, nativeBody("[" + String.join(", ", quotedTexts) + "]"), 0);
    }

    private Case json(String category, String path, String body, int expect) {
        return bytes(category, path, JSON, utf8(body), expect);
    }

    /** A JSON body that must get a 413 when it is over the body limit, else any answer. */
    private Case sized(String category, String path, String body) {
        return json(category, path, body, utf8(body).length > maxBodyBytes ? 413 : 0);
    }

    private Case bytes(String category, String path, String contentType, byte[] body, int expect) {
        return new Case(category, "POST", path, contentType, body, List.of(), false, expect, null);
    }

    private Case form(String category, String body, int expect) {
        return bytes(category, LIBRE, FORM, body.getBytes(StandardCharsets.ISO_8859_1), expect);
    }

    private Case raw(String category, byte[] bytes, boolean mayClose, int expect) {
        return new Case(category, "RAW", "", "", new byte[0], List.of(), false, expect, new Raw(bytes, 0, 0, mayClose));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal; non-ASCII stays raw (UTF-8 on the wire), control characters are escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c) && !validPairAt(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static boolean validPairAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** Form-encodes a value: unreserved ASCII as is, space as '+', everything else as %XX of its UTF-8 bytes. */
    static String formEncode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : utf8(s)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
                b.append((char) c);
            } else if (c == ' ') {
                b.append('+');
            } else {
                b.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return b.toString();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…(" + s.length() + " chars)";
    }

    static String printable(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 400); i++) {
            int c = bytes[i] & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                b.append((char) c);
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else {
                b.append(String.format("\\x%02x", c));
            }
        }
        if (bytes.length > 400) {
            b.append("…(").append(bytes.length).append(" bytes)");
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- fixed cases

    /** Characters per text, texts per request and body bytes: at each limit (accepted) and one past it (refused). */
    private void limits(List<Case> cases) {
        String[] units = {"a", "ä", "😀", "e\u0301", "ß", "z"};
        for (String unit : units) {
            int perUnit = unit.codePointCount(0, unit.length());
            String atLimit = unit.repeat(maxChars / perUnit);
            String over = atLimit + "x".repeat(1);
            for (boolean isLibre : new boolean[] {true, false}) {
                String path = isLibre ? LIBRE : NATIVE;
                cases.add(json("limit-chars", path, isLibre ? "{\"q\": " + quote(atLimit) + "}" : "{\"texts\": [" + quote(atLimit) + "], \"beam\": 1}",
                        200));
                cases.add(json("limit-chars", path, isLibre ? "{\"q\": " + quote(over) + "}" : "{\"texts\": [" + quote(over) + "], \"beam\": 1}",
                        atLimit.codePointCount(0, atLimit.length()) + 1 > maxChars ? 400 : 200));
            }
            cases.add(form("limit-chars", "q=" + formEncode(atLimit) + "&source=de", 200));
            cases.add(form("limit-chars", "q=" + formEncode(over) + "&source=de",
                    atLimit.codePointCount(0, atLimit.length()) + 1 > maxChars ? 400 : 200));
        }
        for (int n : new int[] {maxTexts - 1, maxTexts, maxTexts + 1, maxTexts * 2}) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                texts.add(quote(PHRASES[i % PHRASES.length]));
            }
            String list = "[" + String.join(", ", texts) + "]";
            int expect = n <= maxTexts ? 200 : 400;
            cases.add(json("limit-texts", LIBRE, "{\"q\": " + list + "}", expect));
            cases.add(json("limit-texts", NATIVE, "{\"texts\": " + list + ", \"beam\": 1}", expect));
            StringBuilder f = new StringBuilder();
            for (int i = 0; i < n; i++) {
                f.append(i == 0 ? "" : "&").append("q=").append(formEncode(PHRASES[i % PHRASES.length]));
            }
            cases.add(form("limit-texts", f.toString(), expect));
        }
        // Bodies of exactly maxBodyBytes (padded with whitespace or an unknown field) and one byte more.
        for (int delta : new int[] {-1, 0, 1, 2, 100}) {
            int size = maxBodyBytes + delta;
            int expect = delta <= 0 ? 200 : 413;
            String head = "{\"q\": \"Datei öffnen\", \"pad\": \"";
            String tail = "\"}";
            int pad = size - utf8(head).length - utf8(tail).length;
            cases.add(json("limit-body", LIBRE, head + "p".repeat(pad) + tail, expect));
            String nHead = "{\"texts\": [\"Datei öffnen\"], \"beam\": 1}";
            cases.add(json("limit-body", NATIVE, nHead + " ".repeat(size - utf8(nHead).length), expect));
            String fHead = "q=Datei+%C3%B6ffnen&pad=";
            cases.add(form("limit-body", fHead + "x".repeat(size - fHead.length()), expect));
        }
    }

    /** 10 MB bodies, with a length and chunked, on both endpoints and as a form. */
    private void tenMegabytes(List<Case> cases) {
        int size = 10 * 1024 * 1024;
        byte[] jsonBody = utf8("{\"q\": \"" + "a".repeat(size - 10) + "\"}");
        byte[] nativeBody = utf8("{\"texts\": [\"" + "a".repeat(size - 20) + "\"]}");
        byte[] formBody = utf8("q=" + "a".repeat(size - 2));
        byte[] garbage = new byte[size];
        new Random(7).nextBytes(garbage);
        for (boolean chunked : new boolean[] {false, true}) {
            cases.add(new Case("10mb-body", "POST", LIBRE, JSON, jsonBody, List.of(), chunked, 413, null));
            cases.add(new Case("10mb-body", "POST", NATIVE, JSON, nativeBody, List.of(), chunked, 413, null));
            cases.add(new Case("10mb-body", "POST", LIBRE, FORM, formBody, List.of(), chunked, 413, null));
            cases.add(new Case("10mb-body", "POST", NATIVE, "application/octet-stream", garbage, List.of(), chunked, 413, null));
        }
    }

    /** Arrays and objects nested to various depths in every position. */
    private void nestingDepths(List<Case> cases) {
        for (int depth : new int[] {1, 2, 10, 100, 499, 500, 501, 999, 1000, 1001, 2000, 4000, 8000, 20000}) {
            String arrays = "[".repeat(depth) + "\"Hallo\"" + "]".repeat(depth);
            String objects = "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth);
            cases.add(sized("deep-nesting", LIBRE, "{\"q\": " + arrays + "}"));
            cases.add(sized("deep-nesting", NATIVE, "{\"texts\": " + arrays + "}"));
            cases.add(sized("deep-nesting", LIBRE, arrays));
            cases.add(sized("deep-nesting", LIBRE, "{\"q\": \"Hallo\", \"x\": " + objects + "}"));
            cases.add(sized("deep-nesting", NATIVE, "{\"texts\": [\"Hallo\"], \"beam\": 1, \"x\": " + arrays + "}"));
            cases.add(sized("deep-nesting", NATIVE, "[".repeat(depth)));   // never closed
            cases.add(sized("deep-nesting", LIBRE, "{\"q\": " + "{\"q\": ".repeat(depth) + "\"x\"" + "}".repeat(depth) + "}"));
        }
    }

    /** Many tiny texts in one request: at the limit (translated) and far past it. */
    private void manyTexts(List<Case> cases) {
        for (int n : new int[] {maxTexts, maxTexts + 1, 100, 1000, 3000, 100_000}) {
            String one = "[" + String.join(",", java.util.Collections.nCopies(n, "\"a\"")) + "]";
            int expect = 4 * n + 20 > maxBodyBytes ? 413 : n <= maxTexts ? 200 : 400;
            cases.add(json("many-texts", LIBRE, "{\"q\": " + one + "}", expect));
            cases.add(json("many-texts", NATIVE, "{\"texts\": " + one + ", \"beam\": 1}", expect));
            String f = "q=a&".repeat(n);
            cases.add(form("many-texts", f, f.length() > maxBodyBytes ? 413 : n <= maxTexts ? 200 : 400));
            String empties = "[" + String.join(",", java.util.Collections.nCopies(n, "\"\"")) + "]";
            cases.add(json("many-texts", NATIVE, "{\"texts\": " + empties + "}", 3 * n + 20 > maxBodyBytes ? 413 : 400));
        }
    }

    /** Many and huge headers through HttpClient (the raw-socket floods are in {@link #rawCases}). */
    private void headerFloods(List<Case> cases) {
        byte[] body = utf8("{\"q\": \"Hallo\"}");
        for (int count : new int[] {10, 100, 500, 2000}) {
            List<String[]> headers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                headers.add(new String[] {"X-Flood-" + i, "v".repeat(40)});
            }
            cases.add(new Case("header-flood", "POST", LIBRE, JSON, body, headers, false, 0, null));
        }
        for (int size : new int[] {1000, 8000, 16_000, 17_000, 64_000, 1_000_000}) {
            cases.add(new Case("header-flood", "POST", NATIVE, JSON, utf8("{\"texts\": [\"Hallo\"], \"beam\": 1}"),
                    List.<String[]>of(new String[] {"X-Huge", "h".repeat(size)}), false, 0, null));
            cases.add(new Case("header-flood", "POST", LIBRE, JSON, body,
                    List.<String[]>of(new String[] {"Cookie", "c=" + "k".repeat(size)}), false, 0, null));
        }
    }

    /** Every route with every wrong method, and paths near the real ones. */
    private void methodsAndPaths(List<Case> cases) {
        byte[] body = utf8("{\"q\": \"Hallo\"}");
        for (String method : METHODS) {
            for (String path : new String[] {LIBRE, NATIVE, "/languages", "/v1/models", "/health", "/ready", "/metrics", "/openapi", "/dashboard"}) {
                boolean readRoute = !path.equals(LIBRE) && !path.equals(NATIVE);
                if (readRoute && (method.equals("GET") || method.equals("HEAD"))) {
                    continue;   // the route's own methods
                }
                // OPTIONS on a route: 204 with Allow
                cases.add(new Case("method-mismatch", method, path, JSON, method.equals("GET") || method.equals("HEAD") ? new byte[0] : body,
                        List.of(), false, method.equals("OPTIONS") ? 204 : 0, null));
            }
        }
        for (String path : new String[] {"/languages", "/v1/models", "/health", "/ready", "/metrics", "/openapi", "/dashboard"}) {
            cases.add(new Case("method-mismatch", "POST", path, JSON, body, List.of(), false, 0, null));
        }
        for (String path : PATHS) {
            cases.add(new Case("unknown-path", "POST", path, JSON, body, List.of(), false, 0, null));
            cases.add(new Case("unknown-path", "GET", path, JSON, new byte[0], List.of(), false, 0, null));
        }
    }

    // ---------------------------------------------------------------- random cases

    private Case malformedJson() {
        Case valid = validJson("malformed-json", List.of(quote(phrase())), rnd.nextBoolean());
        byte[] b = valid.body();
        byte[] broken = switch (rnd.nextInt(12)) {
            case 0, 1, 2 -> java.util.Arrays.copyOf(b, rnd.nextInt(b.length));                        // truncated
            case 3 -> { int i = rnd.nextInt(b.length); yield concat(java.util.Arrays.copyOf(b, i), java.util.Arrays.copyOfRange(b, i + 1, b.length)); }
            case 4 -> { int i = rnd.nextInt(b.length + 1); yield concat(java.util.Arrays.copyOf(b, i), utf8(pick(new String[] {"{", "}", "[", "]", ",", ":", "\"", "\\", "'", "//", "/*", "\u0000"})), java.util.Arrays.copyOfRange(b, i, b.length)); }
            case 5 -> { byte[] c = b.clone(); c[rnd.nextInt(c.length)] = (byte) rnd.nextInt(128); yield c; }   // ASCII byte flip
            case 6 -> concat(b, b);                                                                       // two documents
            case 7 -> concat(b, utf8(pick(new String[] {" x", "]", "}", ",", " null", "\u0000", " // c", " /* c */"})));
            case 8 -> utf8(pick(new String[] {"{'q': 'Hallo'}", "{q: \"Hallo\"}", "{\"q\": \"Hallo\",}", "{\"q\": [\"Hallo\",]}",
                    "{\"q\": NaN}", "{\"q\": Infinity}", "{\"q\": undefined}", "{\"q\" \"Hallo\"}", "{\"q\": \"Hallo\" \"source\": \"de\"}",
                    "{\"q\": \"Hal\nlo\"}", "{\"q\": \"Hallo\\x\"}", "{\"q\": \"\\u12\"}", "{\"q\": \"\\uZZZZ\"}", "{,}", "{:}", "",
                    " ", "null", "true", "\"Hallo\"", "[]", "[\"Hallo\"]", "42", "{\"q\": \"Hallo\"", "\"q\": \"Hallo\"}",
                    "{\"texts\": [\"Hallo\"}", "\ufeff{\"q\": \"Hallo\"}", "{\"q\": \"Hallo\"}\u0000", "{\"q\":/*c*/\"Hallo\"}",
                    "{\"q\": 'Hallo'}", "{\"q\": \"Hallo\\\"}", "{{}}", "[[[", "]]]", "{\"\":\"\"}", "{\"q\": -}", "{\"q\": 01}",
                    "{\"q\": .5}", "{\"q\": 1.}", "{\"q\": +1}", "{\"q\": 0x10}", "{\"q\": tru}", "{\"q\": nul}"}));
            case 9 -> { byte[] c = java.util.Arrays.copyOf(b, b.length); for (int k = 0; k < 1 + rnd.nextInt(5); k++) { c[rnd.nextInt(c.length)] = (byte) (32 + rnd.nextInt(95)); } yield c; }
            case 10 -> utf8(new String(b, StandardCharsets.UTF_8).replace("\"", rnd.nextBoolean() ? "'" : "\u201c"));
            default -> utf8(new String(b, StandardCharsets.UTF_8).replace(":", rnd.nextBoolean() ? "=" : ""));
        };
        return bytes("malformed-json", valid.path(), JSON, broken, 0);
    }

    private Case wrongType() {
        String value = pick(WRONG_VALUES);
        if (libre()) {
            String field = pick(new String[] {"q", "source", "target", "format", "alternatives", "api_key"});
            StringBuilder b = new StringBuilder("{");
            b.append("\"q\": ").append(field.equals("q") ? value : quote(phrase()));
            for (String f : new String[] {"source", "target", "format", "alternatives", "api_key"}) {
                if (f.equals(field)) {
                    b.append(", \"").append(f).append("\": ").append(value);
                }
            }
            b.append('}');
            if (rnd.nextInt(4) == 0) {
                // the same wrong value as a form field
                String form = "q=" + formEncode(field.equals("q") ? value : phrase()) + (field.equals("q") ? "" : "&" + field + "=" + formEncode(value));
                return form("wrong-type", form, 0);
            }
            return json("wrong-type", LIBRE, b.toString(), 0);
        }
        String field = pick(new String[] {"texts", "beam", "model", "return_timings", "max_length", "alternatives"});
        StringBuilder b = new StringBuilder("{\"texts\": ").append(field.equals("texts") ? value : "[" + quote(phrase()) + "]");
        b.append(", \"beam\": ").append(field.equals("beam") ? value : "1");
        if (field.equals("model") || field.equals("return_timings") || field.equals("max_length") || field.equals("alternatives")) {
            b.append(", \"").append(field).append("\": ").append(value);
        }
        return json("wrong-type", NATIVE, b.append('}').toString(), 0);
    }

    private Case hugeNumber() {
        String number = rnd.nextInt(5) == 0 ? digits(pick(new Integer[] {100, 999, 1000, 1001, 5000, 12000})) : pick(HUGE_NUMBERS);
        if (libre()) {
            return json("huge-number", LIBRE, switch (rnd.nextInt(4)) {
                case 0 -> "{\"q\": " + number + "}";
                case 1 -> "{\"q\": \"Hallo\", \"alternatives\": " + number + "}";
                case 2 -> "{\"q\": \"Hallo\", \"extra\": " + number + "}";
                default -> "{\"q\": [" + number + "]}";
            }, 0);
        }
        return json("huge-number", NATIVE, switch (rnd.nextInt(5)) {
            case 4 -> "{\"texts\": [\"Hallo\"], \"beam\": 1, \"max_length\": " + number + "}";
            case 0 -> "{\"texts\": [\"Hallo\"], \"beam\": " + number + "}";
            case 1 -> "{\"texts\": [" + number + "]}";
            case 2 -> "{\"texts\": [\"Hallo\"], \"beam\": 1, \"return_timings\": " + number + "}";
            default -> number;
        }, 0);
    }

    private String digits(int n) {
        StringBuilder b = new StringBuilder(n + 2);
        b.append(1 + rnd.nextInt(9));
        for (int i = 1; i < n; i++) {
            b.append(rnd.nextInt(10));
        }
        return rnd.nextBoolean() ? b.toString() : "0." + b;
    }

    private Case randomNesting() {
        int depth = 1 + rnd.nextInt(3000);
        String open = rnd.nextBoolean() ? "[" : "{\"k\": ";
        String close = open.equals("[") ? "]" : "}";
        String nested = open.repeat(depth) + "\"Hallo\"" + close.repeat(rnd.nextInt(5) == 0 ? rnd.nextInt(depth) : depth);
        String body = libre() ? "{\"q\": \"Hallo\", \"n\": " + nested + "}" : "{\"texts\": " + nested + "}";
        return sized("deep-nesting", body.startsWith("{\"q") ? LIBRE : NATIVE, body);
    }

    private Case invalidUtf8() {
        byte[] bad = BAD_UTF8[rnd.nextInt(BAD_UTF8.length)];
        String text = phrase();
        int at = rnd.nextInt(text.length() + 1);
        byte[] before = utf8(text.substring(0, at));
        byte[] after = utf8(text.substring(at));
        switch (rnd.nextInt(4)) {
            case 0 -> {
                return bytes("invalid-utf8", LIBRE, JSON, concat(utf8("{\"q\": \""), before, bad, after, utf8("\"}")), 400);
            }
            case 1 -> {
                return bytes("invalid-utf8", NATIVE, JSON, concat(utf8("{\"texts\": [\""), before, bad, after, utf8("\"], \"beam\": 1}")), 400);
            }
            case 2 -> {
                return bytes("invalid-utf8", LIBRE, FORM, concat(utf8("q="), utf8(formEncode(text.substring(0, at))), bad, utf8("&source=de")), 400);
            }
            default -> {
                StringBuilder escaped = new StringBuilder();
                for (byte x : bad) {
                    escaped.append('%').append(HexFormat.of().toHexDigits(x));
                }
                return form("invalid-utf8", "q=" + formEncode(text.substring(0, at)) + escaped + formEncode(text.substring(at)) + "&source=de", 400);
            }
        }
    }

    private Case loneSurrogate() {
        String s = pick(LONE_SURROGATES);
        String text = phrase();
        int at = rnd.nextInt(text.length() + 1);
        String literal = "\"" + text.substring(0, at) + s + text.substring(at) + "\"";
        return switch (rnd.nextInt(9)) {
            case 0 -> json("lone-surrogate", LIBRE, "{\"q\": " + literal + "}", 400);
            case 1 -> json("lone-surrogate", LIBRE, "{\"q\": [\"Hallo\", " + literal + "]}", 400);
            case 2 -> json("lone-surrogate", NATIVE, "{\"texts\": [" + literal + "], \"beam\": 1}", 400);
            case 3 -> json("lone-surrogate", LIBRE, "{\"q\": \"Hallo\", \"" + pick(new String[] {"source", "target", "format", "api_key"}) + "\": " + literal + "}", 400);
            case 4 -> json("lone-surrogate", NATIVE, "{\"texts\": [\"Hallo\"], \"model\": " + literal + "}", 400);
            case 5 -> json("lone-surrogate", LIBRE, "{\"q\": \"Hallo\", " + literal + ": 1}", 400);   // as a field name
            case 6 -> json("lone-surrogate", NATIVE, "{\"texts\": [\"Hallo\"], \"beam\": 1, \"extra\": [" + literal + "]}", 400);
            case 7 -> bytes("lone-surrogate", LIBRE, JSON, concat(utf8("{\"q\": \"" + text.substring(0, at)),
                    new byte[] {(byte) 0xED, (byte) (0xA0 + rnd.nextInt(32)), (byte) (0x80 + rnd.nextInt(64))}, utf8(text.substring(at) + "\"}")), 400);
            default -> form("lone-surrogate", "q=" + formEncode(text) + "%ED%" + HexFormat.of().withUpperCase().toHexDigits((byte) (0xA0 + rnd.nextInt(32))) + "%80", 400);
        };
    }

    private Case controlCharacters() {
        int[] controls = {0x00, 0x01, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F, 0xAD, 0xFFFE, 0xFFFF,
            0xFEFF, 0x2028, 0x2029, 0x200B, 0x200D, 0x202E, 0x2066, 0xE000, 0x10FFFF, 0xFFFD, 0xE0001};
        int cp = controls[rnd.nextInt(controls.length)];
        String c = new String(Character.toChars(cp)).repeat(1 + rnd.nextInt(3));
        String text = phrase();
        int at = rnd.nextInt(text.length() + 1);
        String mixed = rnd.nextInt(5) == 0 ? c : text.substring(0, at) + c + text.substring(at);
        return switch (rnd.nextInt(4)) {
            case 0 -> {
                // raw in the JSON string: below 0x20 that is invalid JSON
                String body = "{\"q\": \"" + mixed.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
                yield json("control-chars", LIBRE, body, cp < 0x20 ? 400 : 0);
            }
            case 1 -> form("control-chars", "q=" + formEncode(mixed) + "&source=de", 0);
            default -> validJson("control-chars", List.of(quote(mixed)), rnd.nextBoolean());   // escaped: valid JSON
        };
    }

    private Case scripts() {
        int n = 1 + rnd.nextInt(3);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String s = pick(SCRIPTS);
            texts.add(rnd.nextBoolean() ? s : phrase() + " " + s);
        }
        if (rnd.nextInt(4) == 0) {
            StringBuilder f = new StringBuilder("source=auto");
            texts.forEach(t -> f.append("&q=").append(formEncode(t)));
            return form("unicode-scripts", f.toString(), 0);
        }
        return validJson("unicode-scripts", texts.stream().map(HostileCases::quote).toList(), rnd.nextBoolean());
    }

    private Case blank() {
        String b = pick(BLANKS);
        return switch (rnd.nextInt(6)) {
            case 0 -> validJson("empty-blank", List.of(quote(b)), false);
            case 1 -> validJson("empty-blank", List.of(quote(phrase()), quote(b)), true);
            case 2 -> form("empty-blank", "q=" + formEncode(b), 0);
            case 3 -> json("empty-blank", rnd.nextBoolean() ? LIBRE : NATIVE, rnd.nextBoolean() ? "{\"q\": []}" : "{\"texts\": []}", 400);
            case 4 -> form("empty-blank", pick(new String[] {"", "&", "q", "q=", "=", "&&&", "source=de", "q&q", "%", "q=%", "q=%4", "q=%%", "=q"}), 0);
            default -> bytes("empty-blank", rnd.nextBoolean() ? LIBRE : NATIVE, JSON, utf8(b), 400);   // a blank body
        };
    }

    private Case unknownFields() {
        StringBuilder extra = new StringBuilder();
        int n = 1 + rnd.nextInt(12);
        for (int i = 0; i < n; i++) {
            String name = rnd.nextInt(3) == 0 ? pick(FIELD_NAMES) : "f" + rnd.nextInt(1000);
            if (name.equals("\\ud800")) {
                name = "unknown";   // lone surrogates have their own category
            }
            String value = switch (rnd.nextInt(6)) {
                case 0 -> pick(WRONG_VALUES);
                case 1 -> quote("v".repeat(rnd.nextInt(200)));
                case 2 -> pick(HUGE_NUMBERS);
                case 3 -> "{\"nested\": {\"deeper\": [1, 2, {\"x\": null}]}}";
                case 4 -> quote(pick(SCRIPTS));
                default -> String.valueOf(rnd.nextLong());
            };
            extra.append(", \"").append(name).append("\": ").append(value);
        }
        boolean isLibre = libre();
        String core = isLibre ? "{\"q\": " + quote(phrase()) : "{\"texts\": [" + quote(phrase()) + "], \"beam\": 1";
        if (rnd.nextInt(6) == 0) {
            core += isLibre ? ", \"q\": " + pick(new String[] {"\"Weiter\"", "5", "null", "[\"Weiter\"]"})
                    : ", \"texts\": " + pick(new String[] {"[\"Weiter\"]", "5", "null"});   // duplicate key
        }
        if (rnd.nextInt(8) == 0 && isLibre) {
            return form("unknown-fields", "q=" + formEncode(phrase()) + "&" + formEncode(pick(FIELD_NAMES)) + "=" + formEncode(pick(WRONG_VALUES))
                    + "&apiKey=x&" + "z".repeat(rnd.nextInt(50)) + "=1", 0);
        }
        return json("unknown-fields", isLibre ? LIBRE : NATIVE, core + extra + "}", 0);
    }

    private Case contentType() {
        String type = pick(CONTENT_TYPES);
        return switch (rnd.nextInt(4)) {
            case 0 -> bytes("content-type", LIBRE, type, utf8("{\"q\": " + quote(phrase()) + "}"), 0);
            case 1 -> bytes("content-type", LIBRE, type, utf8("q=" + formEncode(phrase()) + "&source=de"), 0);
            case 2 -> bytes("content-type", NATIVE, type, utf8("{\"texts\": [" + quote(phrase()) + "], \"beam\": 1}"), 0);
            default -> {
                // a body in UTF-16 or Latin-1, as the content type may claim
                java.nio.charset.Charset cs = rnd.nextBoolean() ? StandardCharsets.UTF_16 : StandardCharsets.ISO_8859_1;
                yield bytes("content-type", rnd.nextBoolean() ? LIBRE : NATIVE, "application/json; charset=" + cs.name().toLowerCase(),
                        ("{\"q\": \"Größe\", \"texts\": [\"Größe\"]}").getBytes(cs), 0);
            }
        };
    }

    private Case methodMismatch() {
        String method = pick(METHODS);
        String path = rnd.nextBoolean() ? pick(new String[] {LIBRE, NATIVE}) : pick(PATHS);
        byte[] body = method.equals("GET") || method.equals("HEAD") || rnd.nextInt(3) == 0 ? new byte[0]
                : utf8("{\"q\": \"Hallo\", \"texts\": [\"Hallo\"]}");
        return new Case("method-mismatch", method, path, JSON, body, List.of(), false, 0, null);
    }

    private Case overLimit() {
        // just past a limit, with random content
        return switch (rnd.nextInt(3)) {
            case 0 -> {
                String text = phrase();
                while (text.codePointCount(0, text.length()) <= maxChars) {
                    text += " " + phrase();
                }
                yield validJson("over-limit", List.of(quote(text)), rnd.nextBoolean());
            }
            case 1 -> {
                List<String> texts = new ArrayList<>();
                for (int i = 0; i <= maxTexts + rnd.nextInt(5); i++) {
                    texts.add(quote(phrase()));
                }
                yield validJson("over-limit", texts, true);
            }
            default -> {
                int size = maxBodyBytes + 1 + rnd.nextInt(3 * maxBodyBytes);
                String body = "{\"q\": \"Hallo\", \"pad\": \"" + "p".repeat(size) + "\"}";
                yield new Case("over-limit", "POST", rnd.nextBoolean() ? LIBRE : NATIVE, JSON, utf8(body), List.of(), rnd.nextBoolean(), 413, null);
            }
        };
    }

    private static final String[] HTML = {
        "<b>Hallo</b> Welt", "<p>Datei <i>öffnen", "</p>Hallo", "<", ">", "<<>>", "<b", "Hallo <br/> Welt", "<!-- Kommentar -->Hallo",
        "<!--", "<script>alert(1)</script>Hallo", "<style>p{}</style>Welt", "<script>", "&amp;&lt;&gt;", "&#xD800;Hallo",
        "&#0;", "&#x110000;", "&#99999999999;", "&#-1;", "&#x;", "&;", "&unknown;", "&auml;&ouml;&uuml;", "<![CDATA[x]]>Hallo",
        "<a href=\"x\" title='y'>Link</a>", "<div " + "a=1 ".repeat(8) + ">x</div>", "<b><i><u><s>Hallo</s></u></i></b>",
        "<?xml version=\"1.0\"?>Hallo", "<!DOCTYPE html>Hallo", "<img src=x onerror=alert(1)>", "Hallo\u0000<b>", "&nbsp;",
        "<p>\ud83d\ude00</p>", "<b>&#x1F600;</b>", "<SCRIPT>x</script >Hallo", "<script>never closed",
    };

    /** format=html with broken markup, entities (some naming no character) and scripts. */
    private Case html() {
        String h = pick(HTML);
        if (rnd.nextBoolean()) {
            h = h + " " + pick(HTML);
        }
        if (rnd.nextInt(4) == 0) {
            return form("html-format", "format=html&source=de&q=" + formEncode(h), 0);
        }
        return json("html-format", LIBRE, "{\"q\": " + (rnd.nextBoolean() ? quote(h) : "[" + quote(h) + ", \"<i>Danke</i>\"]")
                + ", \"format\": \"html\"}", 0);
    }

    private Case apiKey() {
        String key = pick(new String[] {"", " ", "x".repeat(10_000), "key with spaces", "ключ", "null", "\\u0000", "a\\\"b"});
        if (rnd.nextBoolean()) {
            String value = rnd.nextBoolean() ? "\"" + key + "\"" : pick(WRONG_VALUES);
            return json("api-key", LIBRE, "{\"q\": " + quote(phrase()) + ", \"api_key\": " + value + "}", 0);
        }
        String header = pick(new String[] {"", "x", "k".repeat(20_000), "a b", "ünïcödé", "\t"});
        return new Case("api-key", "POST", rnd.nextBoolean() ? LIBRE : NATIVE, JSON,
                utf8("{\"q\": " + quote(phrase()) + ", \"texts\": [" + quote(phrase()) + "], \"beam\": 1}"),
                List.<String[]>of(new String[] {"X-API-Key", header}), false, 0, null);
    }

    // ---------------------------------------------------------------- raw socket cases

    /** Broken HTTP: header floods, bad request lines, lying lengths, bad chunking, byte soup. */
    List<Case> rawCases(int randomSoup) {
        List<Case> cases = new ArrayList<>();
        byte[] body = utf8("{\"q\": \"Hallo\"}");
        // header floods
        for (int count : new int[] {100, 1000, 10_000, 100_000}) {
            List<String> headers = new ArrayList<>(List.of("Host: localhost", "Content-Type: application/json", "Content-Length: " + body.length));
            for (int i = 0; i < count; i++) {
                headers.add("X-Flood-" + i + ": " + i);
            }
            cases.add(raw("raw-header-flood", RawHttp.request("POST /translate HTTP/1.1", headers, body), false, 0));
        }
        for (int size : new int[] {4000, 16_000, 16_385, 100_000, 2_000_000}) {
            cases.add(raw("raw-header-flood", RawHttp.post(LIBRE, JSON, body, List.of("X-Huge: " + "h".repeat(size))), false, 0));
            cases.add(raw("raw-header-flood", RawHttp.post(LIBRE, JSON, body, List.of("X-" + "n".repeat(size) + ": 1")), false, 0));
            cases.add(raw("raw-header-flood", RawHttp.request("POST /translate?" + "a".repeat(size) + " HTTP/1.1",
                    List.of("Host: localhost", "Content-Type: application/json", "Content-Length: " + body.length), body), false, 0));
            cases.add(raw("raw-header-flood", RawHttp.request("GET /" + "b".repeat(size) + " HTTP/1.1", List.of("Host: localhost"), new byte[0]), false, 0));
        }
        // endless header lines (no blank line ever): the server must give up, not wait for more
        StringBuilder endless = new StringBuilder("POST /translate HTTP/1.1\r\nHost: localhost\r\n");
        while (endless.length() < 300_000) {
            endless.append("X-More: ").append(endless.length()).append("\r\n");
        }
        cases.add(raw("raw-header-flood", utf8(endless.toString()), false, 0));
        // malformed request lines and headers
        String[] lines = {
            "POST /translate HTTP/9.9", "POST /translate HTTP/1", "POST /translate HTTP/1.1 extra", "POST  /translate HTTP/1.1",
            "POST /translate", "/translate HTTP/1.1", "POST HTTP/1.1", "post /translate HTTP/1.1", "P\u0000ST /translate HTTP/1.1",
            "POST translate HTTP/1.1", "POST http://localhost/translate HTTP/1.1", "POST * HTTP/1.1", "CONNECT localhost:80 HTTP/1.1",
            "POST /trans late HTTP/1.1", "POST /translate\tHTTP/1.1", "POST /translate HTTP/2.0", "PRI * HTTP/2.0", "POST /translate http/1.1",
            "POST /%zz HTTP/1.1", "POST /translate\u00e4 HTTP/1.1", "POST /translate HTTP/1.0", "POST /translate?\u0000 HTTP/1.1", "",
        };
        for (String line : lines) {
            cases.add(raw("raw-bad-request-line", RawHttp.request(line,
                    List.of("Host: localhost", "Content-Type: application/json", "Content-Length: " + body.length), body), false, 0));
        }
        String[][] headerSets = {
            {"Content-Type: application/json", "Content-Length: 14"},                                            // no Host
            {"Host: localhost", "Host: evil", "Content-Type: application/json", "Content-Length: 14"},          // two Hosts
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Content-Length: 15"},  // two lengths
            {"Host: localhost", "Content-Type: application/json", "Content-Length: -1"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: abc"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 99999999999999999999"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 1e3"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length:  14 "},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: +14"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 0x0e"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Transfer-Encoding: chunked"},
            {"Host: localhost", "Content-Type: application/json", "Transfer-Encoding: gzip"},
            {"Host: localhost", "Content-Type: application/json", "Transfer-Encoding: chunked, identity"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length : 14"},
            {"Host: localhost", "Content-Type: application/json", " Content-Length: 14"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "X-Folded: a", " b"},   // obs-fold
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "X-Bad\u0000Name: 1"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "X-Bad: \u0000\u0001"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "X-Latin: \u00e4\u00f6\u00fc"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "X-Utf8: 😀"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", ": empty-name"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "NoColon"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Expect: 100-continue"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Expect: 999-nonsense"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Connection: upgrade", "Upgrade: h2c", "HTTP2-Settings: AAAA"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Upgrade: websocket", "Connection: Upgrade"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Content-Encoding: gzip"},
            {"Host: localhost", "Content-Type: application/json", "Content-Length: 14", "Content-Encoding: br"},
            {"Host: local host", "Content-Type: application/json", "Content-Length: 14"},
            {"Host: [::1", "Content-Type: application/json", "Content-Length: 14"},
        };
        for (String[] headers : headerSets) {
            cases.add(raw("raw-bad-headers", RawHttp.request("POST /translate HTTP/1.1", List.of(headers), body), false, 0));
        }
        // lying or broken bodies (the writer half-closes, so the server sees the end)
        cases.add(raw("raw-bad-body", RawHttp.request("POST /translate HTTP/1.1",
                List.of("Host: localhost", "Content-Type: application/json", "Content-Length: 1000"), body), false, 0));
        cases.add(raw("raw-bad-body", RawHttp.request("POST /translate HTTP/1.1",
                List.of("Host: localhost", "Content-Type: application/json", "Content-Length: 5"), body), false, 0));
        cases.add(raw("raw-bad-body", RawHttp.request("POST /v1/translate HTTP/1.1",
                List.of("Host: localhost", "Content-Type: application/json", "Content-Length: 10485760"), body), false, 413));
        String[] chunkings = {
            "e\r\n{\"q\": \"Hallo\"}\r\n0\r\n\r\n",                        // valid
            "E\r\n{\"q\": \"Hallo\"}\r\n0\r\n\r\n",
            "zz\r\n{\"q\": \"Hallo\"}\r\n0\r\n\r\n",                       // not hex
            "ffffffffffffffff\r\n{\"q\": \"Hallo\"}\r\n0\r\n\r\n",          // absurd size
            "-1\r\n{\"q\": \"Hallo\"}\r\n0\r\n\r\n",
            "e\r\n{\"q\": \"Hallo\"}\r\n",                                 // no last chunk
            "e\r\n{\"q\": \"Hallo\"}0\r\n\r\n",                             // no CRLF after data
            "5\r\n{\"q\": \"Hallo\"}\r\n0\r\n\r\n",                        // shorter than said
            "e;ext=1\r\n{\"q\": \"Hallo\"}\r\n0\r\n\r\n",                  // chunk extension
            "e\r\n{\"q\": \"Hallo\"}\r\n0\r\nX-Trailer: 1\r\n\r\n",        // trailer
            "7\r\n{\"q\": \"\r\n7\r\nHallo\"}\r\n0\r\n\r\n",
            "100000\r\n" + "a".repeat(1000),                               // claims 1 MiB, sends 1 KB
        };
        for (String chunked : chunkings) {
            cases.add(raw("raw-bad-chunking", RawHttp.request("POST /translate HTTP/1.1",
                    List.of("Host: localhost", "Content-Type: application/json", "Transfer-Encoding: chunked"), utf8(chunked)), false, 0));
        }
        // pipelining: a valid request, then a broken one, on one connection (the first answer counts)
        cases.add(raw("raw-pipelined", concat(RawHttp.post(LIBRE, JSON, body, List.of()), utf8("GARBAGE\r\n\r\n")), false, 200));
        cases.add(raw("raw-pipelined", concat(utf8("GARBAGE\r\n\r\n"), RawHttp.post(LIBRE, JSON, body, List.of())), false, 0));
        // not HTTP at all: the server may close without a word, but it must not hang or 5xx
        for (String soup : new String[] {"\r\n\r\n", "\u0000\u0000\u0000\u0000", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003",
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET / HTTP/1.1\n\n", "\n\n\n\n\n\n\n\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"}) {
            cases.add(raw("raw-byte-soup", soup.getBytes(StandardCharsets.ISO_8859_1), true, 0));
        }
        for (int i = 0; i < randomSoup; i++) {
            byte[] soup = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 8192)];
            rnd.nextBytes(soup);
            if (rnd.nextBoolean()) {
                // a plausible start, then noise
                soup = concat(utf8(pick(new String[] {"POST /translate HTTP/1.1\r\n", "POST /v1/translate HTTP/1.1\r\nHost: x\r\n",
                        "GET /health HTTP/1.1\r\nHost: x\r\nX: ", "POST /translate HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n"})), soup);
            }
            cases.add(raw("raw-byte-soup", soup, true, 0));
        }
        return cases;
    }

    /** Complete, valid requests dribbled a few bytes at a time: each must still be answered correctly. */
    List<Case> slowSenders(int count) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean isLibre = i % 2 == 0;
            String path = isLibre ? LIBRE : NATIVE;
            String contentType = i % 4 == 2 ? FORM : JSON;
            byte[] body = contentType.equals(FORM) ? utf8("q=" + formEncode(phrase()) + "&source=de")
                    : utf8(isLibre ? "{\"q\": " + quote(phrase()) + "}" : "{\"texts\": [" + quote(phrase()) + "], \"beam\": 1}");
            if (contentType.equals(FORM)) {
                path = LIBRE;
            }
            byte[] bytes = RawHttp.post(path, contentType, body, List.of());
            cases.add(new Case("raw-slow-sender", "POST", path, contentType, body, List.of(), false, 200,
                    new Raw(bytes, 1 + rnd.nextInt(4), 5 + rnd.nextInt(10), false)));
        }
        return cases;
    }
}
