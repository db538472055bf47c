package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With API keys configured: 403 without or with a wrong key, 200 with one, 429 past its rate. */
class ApiKeyTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();

    @Test
    void keysAreRequiredAndRateLimited() throws Exception {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.port", "0", "kaleido.models", MODELS.resolve("tiny-kmatrix").toString(),
                "kaleido.apiKeys", "alpha, beta", "kaleido.keyRatePerMinute", "2"), Map.of());
        try (ModelRegistry models = new ModelRegistry(config, new ServerMetrics())) {
            WebServer server = Main.start(config, models, new ServerMetrics());
            try {
                HttpClient client = HttpClient.newHttpClient();
                String url = "http://localhost:" + server.port() + "/translate";
                java.util.function.Function<String, HttpResponse<String>> post = body -> {
                    try {
                        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                assertEquals(403, post.apply("{\"q\": \"Datei öffnen\"}").statusCode());
                HttpResponse<String> wrong = post.apply("{\"q\": \"Datei öffnen\", \"api_key\": \"gamma\"}");
                assertEquals(403, wrong.statusCode());
                assertTrue(wrong.body().contains("unknown API key"), wrong.body());
                assertEquals(200, post.apply("{\"q\": \"Datei öffnen\", \"api_key\": \"alpha\"}").statusCode());
                assertEquals(200, post.apply("{\"q\": \"Datei öffnen\", \"api_key\": \"alpha\"}").statusCode());
                HttpResponse<String> limited = post.apply("{\"q\": \"Datei öffnen\", \"api_key\": \"alpha\"}");
                assertEquals(429, limited.statusCode());
                assertTrue(limited.headers().firstValue("Retry-After").isPresent());
                assertEquals(200, post.apply("{\"q\": \"Datei öffnen\", \"api_key\": \"beta\"}").statusCode());   // per key
                HttpResponse<String> nativeApi = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/v1/translate"))
                        .header("Content-Type", "application/json").header("X-API-Key", "beta")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"Datei öffnen\"]}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, nativeApi.statusCode(), nativeApi.body());
            } finally {
                server.stop();
            }
        }
    }
}
