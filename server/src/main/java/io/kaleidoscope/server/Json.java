package io.kaleidoscope.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * JSON in and out for the HTTP services: lenient about unknown fields (LibreTranslate clients send
 * extras such as apiKey), strict about malformed input (a 400 naming the problem: invalid UTF-8,
 * malformed JSON, anything after the JSON value, lone UTF-16 surrogates), and the timing headers
 * every translation response carries.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    private Json() {}

    /** The body as text; a 400 when it is not valid UTF-8 (no silent replacement characters). */
    static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ApiException(400, "the request body is not valid UTF-8");
        }
    }

    /**
     * The request body, or a 400 when there is none or it cannot be read (a broken chunked
     * encoding, a client that closed the connection before sending all it announced). The size
     * limit is Helidon's (413 before this is reached).
     */
    static byte[] body(io.helidon.webserver.http.ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw new ApiException(400, "the request has no body");
        }
        try {
            return req.content().as(byte[].class);
        } catch (io.helidon.http.RequestException | io.helidon.http.HttpException e) {
            throw e;   // Helidon's own answer (413 over the size limit, ...)
        } catch (RuntimeException e) {
            throw ApiException.closing(400, "the request body could not be read (malformed chunked encoding, or the connection closed early)");
        }
    }

    /** The body as a JSON object, or a 400 saying why not. */
    static JsonNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(utf8(body));
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + sanitize(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "the request body must be a JSON object");
        }
        rejectLoneSurrogates(node);
        return node;
    }

    /**
     * A 400 when a field name or string anywhere in the document holds an unpaired UTF-16
     * surrogate (JSON allows an escape such as {@code "\\ud800"}, but that is no Unicode text: the tokenizer
     * would silently turn it into something else). Iterative, so depth costs no stack.
     */
    private static void rejectLoneSurrogates(JsonNode root) {
        java.util.ArrayDeque<JsonNode> todo = new java.util.ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isTextual()) {
                checkSurrogates(node.textValue());
            } else if (node.isObject()) {
                for (var field : node.properties()) {
                    checkSurrogates(field.getKey());
                    todo.push(field.getValue());
                }
            } else if (node.isArray()) {
                node.forEach(todo::push);
            }
        }
    }

    private static void checkSurrogates(String s) {
        int bad = loneSurrogateAt(s);
        if (bad >= 0) {
            throw new ApiException(400, "the request holds a lone UTF-16 surrogate (\\u%04x); text must be valid Unicode"
                    .formatted((int) s.charAt(bad)));
        }
    }

    /** The index of the first unpaired surrogate in s, or -1. */
    static int loneSurrogateAt(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** s with unpaired surrogates replaced by U+FFFD, so a message that quotes the client always serialises. */
    static String sanitize(String s) {
        if (s == null || loneSurrogateAt(s) < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '\ufffd' : c);
            }
        }
        return b.toString();
    }

    static void send(ServerRequest req, ServerResponse res, int status, Object body) {
        try {
            res.status(status);
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            ResponseBodies.send(req, res, MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a response", e);
        }
    }

    static void error(ServerRequest req, ServerResponse res, int status, String message) {
        send(req, res, status, java.util.Map.of("error", errorText(message, status)));
    }

    /** Longest error message: one that quotes the client (an unknown language, say) quotes at most this much. */
    private static final int MAX_ERROR_CHARS = 1000;

    /** A non-empty, serialisable error message of bounded length. */
    static String errorText(String message, int status) {
        if (message == null || message.isBlank()) {
            return "request refused (HTTP " + status + ")";
        }
        String text = sanitize(message);
        if (text.length() > MAX_ERROR_CHARS) {
            int end = Character.isHighSurrogate(text.charAt(MAX_ERROR_CHARS - 1)) ? MAX_ERROR_CHARS - 1 : MAX_ERROR_CHARS;
            text = text.substring(0, end) + "… (" + text.length() + " characters)";
        }
        return text;
    }

    /** The bytes of {"error": message}. */
    static byte[] errorBytes(String message, int status) {
        try {
            return MAPPER.writeValueAsBytes(java.util.Map.of("error", errorText(message, status)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an error", e);
        }
    }

    /** Queue wait, inference and total time of a translation, in milliseconds. */
    static void timingHeaders(ServerResponse res, BatchingEngine.Result timed, long totalNanos) {
        res.header("X-Queue-Time-Ms", millis(timed.queueNanos()));
        res.header("X-Inference-Time-Ms", millis(timed.inferenceNanos()));
        res.header("X-Total-Time-Ms", millis(totalNanos));
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
