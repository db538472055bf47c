package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With API keys configured: 403 without or with a wrong key, 200 with one, 429 past its rate. */
class ApiKeyTest {

    @Test
    void keysAreRequiredAndRateLimited() throws Exception {
        try (TestServer s = TestServer.start(Map.of("kaleido.apiKeys", "alpha, beta", "kaleido.keyRatePerMinute", "2"))) {
            assertEquals(403, s.post("/translate", "{\"q\": \"Datei öffnen\"}").statusCode());
            // clients learn it without a key
            HttpResponse<String> settings = s.get("/frontend/settings");
            assertEquals(200, settings.statusCode());
            assertTrue(settings.body().contains("\"keyRequired\":true"), settings.body());
            HttpResponse<String> wrong = s.post("/translate", "{\"q\": \"Datei öffnen\", \"api_key\": \"gamma\"}");
            assertEquals(403, wrong.statusCode());
            assertTrue(wrong.body().contains("unknown API key"), wrong.body());
            assertEquals(200, s.post("/translate", "{\"q\": \"Datei öffnen\", \"api_key\": \"alpha\"}").statusCode());
            assertEquals(200, s.post("/translate", "{\"q\": \"Datei öffnen\", \"api_key\": \"alpha\"}").statusCode());
            HttpResponse<String> limited = s.post("/translate", "{\"q\": \"Datei öffnen\", \"api_key\": \"alpha\"}");
            assertEquals(429, limited.statusCode());
            // 2 a minute: the next token comes within 30 s, and Retry-After says when (not "1", which would fail again)
            long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 20 && retryAfter <= 30, "Retry-After " + retryAfter);
            assertEquals(200, s.post("/translate", "{\"q\": \"Datei öffnen\", \"api_key\": \"beta\"}").statusCode());   // per key
            HttpResponse<String> nativeApi = s.client.send(HttpRequest.newBuilder(URI.create(s.base() + "/v1/translate"))
                    .header("Content-Type", "application/json").header("X-API-Key", "beta")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"Datei öffnen\"]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, nativeApi.statusCode(), nativeApi.body());
        }
    }
}
