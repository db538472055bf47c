package io.kaleidoscope.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * JSON in and out for the HTTP services: lenient about unknown fields (LibreTranslate clients send
 * extras such as apiKey), strict about malformed input (a 400 naming the problem), and the timing
 * headers every translation response carries.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

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

    /** The body as a JSON object, or a 400 saying why not. */
    static JsonNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(utf8(body));
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "the request body must be a JSON object");
        }
        return node;
    }

    static void send(ServerResponse res, int status, Object body) {
        try {
            res.status(status);
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a response", e);
        }
    }

    static void error(ServerResponse res, int status, String message) {
        send(res, status, java.util.Map.of("error", message));
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
