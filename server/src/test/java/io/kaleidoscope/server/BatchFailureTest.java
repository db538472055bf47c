package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaleidoscope.Translator;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A failure inside the engine, over HTTP: the engine's decoding call fails on purpose for texts
 * containing "KAPUTT"; that request gets a 500 with a request id, and the server keeps serving.
 */
class BatchFailureTest {

    @Test
    void aFailingBatchAnswers500WithARequestIdAndTheEngineKeepsServing() throws Exception {
        try (TestServer s = TestServer.start(Map.of("kaleido.maxWaitMs", "1"), translator -> (texts, options) -> {
            if (texts.stream().anyMatch(t -> t.contains("KAPUTT"))) {
                throw new IllegalStateException("injected failure");
            }
            return translator.translate(texts, options);
        })) {
            HttpResponse<String> failed = s.post("/v1/translate", "{\"texts\": [\"Datei KAPUTT\"], \"beam\": 1}");
            assertEquals(500, failed.statusCode(), failed.body());
            JsonNode body = Json.MAPPER.readTree(failed.body());
            String id = body.get("request_id").asText();
            assertTrue(id.matches("[0-9a-f-]{36}"), id);
            assertEquals(id, failed.headers().firstValue("X-Request-Id").orElse(""));
            assertEquals("internal error (request id " + id + ")", body.get("error").asText());

            HttpResponse<String> next = s.post("/v1/translate", "{\"texts\": [\"Datei öffnen\"], \"beam\": 1}");
            assertEquals(200, next.statusCode(), next.body());
            try (Translator t = Translator.load(TestServer.MODELS.resolve("tiny-kmatrix"))) {
                assertEquals(t.translate(List.of("Datei öffnen"), t.defaultOptions().withBeam(1)).get(0),
                        Json.MAPPER.readTree(next.body()).get("translations").get(0).asText());
            }
        }
    }
}
