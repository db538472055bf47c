package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.kaleidoscope.Translator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failure inside the engine, over HTTP: the engine's decoding call fails on purpose for texts
 * containing "KAPUTT"; that request gets a 500 with a request id, and the server keeps serving.
 */
class BatchFailureTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();

    private static ModelRegistry models;
    private static WebServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.port", "0", "kaleido.models", MODELS.resolve("tiny-kmatrix").toString(),
                "kaleido.maxWaitMs", "1"), Map.of());
        models = new ModelRegistry(config, new ServerMetrics(), translator -> (texts, options) -> {
            if (texts.stream().anyMatch(t -> t.contains("KAPUTT"))) {
                throw new IllegalStateException("injected failure");
            }
            return translator.translate(texts, options);
        });
        server = Main.start(config, models, new ServerMetrics());
    }

    @AfterAll
    static void stop() {
        server.stop();
        models.close();
    }

    private static HttpResponse<String> translate(String text) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/v1/translate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"" + text + "\"], \"beam\": 1}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFailingBatchAnswers500WithARequestIdAndTheEngineKeepsServing() throws Exception {
        HttpResponse<String> failed = translate("Datei KAPUTT");
        assertEquals(500, failed.statusCode(), failed.body());
        JsonNode body = Json.MAPPER.readTree(failed.body());
        String id = body.get("request_id").asText();
        assertTrue(id.matches("[0-9a-f-]{36}"), id);
        assertEquals(id, failed.headers().firstValue("X-Request-Id").orElse(""));
        assertEquals("internal error (request id " + id + ")", body.get("error").asText());

        HttpResponse<String> next = translate("Datei öffnen");
        assertEquals(200, next.statusCode(), next.body());
        try (Translator t = Translator.load(MODELS.resolve("tiny-kmatrix"))) {
            assertEquals(t.translate(List.of("Datei öffnen"), t.defaultOptions().withBeam(1)).get(0),
                    Json.MAPPER.readTree(next.body()).get("translations").get(0).asText());
        }
    }
}
