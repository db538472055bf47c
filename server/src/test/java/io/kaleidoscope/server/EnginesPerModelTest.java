package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import io.kaleidoscope.Translator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** kaleido.enginesPerModel = 2: two engine threads of one model share the load and answer alike. */
class EnginesPerModelTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();

    @Test
    void concurrentRequestsAreSpreadOverTheModelsEngines() throws Exception {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.port", "0", "kaleido.models", MODELS.resolve("tiny-kmatrix").toString(),
                "kaleido.enginesPerModel", "2", "kaleido.maxWaitMs", "300"), Map.of());
        Set<Translator> used = ConcurrentHashMap.newKeySet();
        ServerMetrics metrics = new ServerMetrics();
        ModelRegistry models = new ModelRegistry(config, metrics, translator -> (texts, options) -> {
            used.add(translator);
            return translator.translate(texts, options);
        });
        WebServer server = Main.start(config, models, metrics);
        try {
            assertEquals(List.of("tiny-kmatrix"), models.names());
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://localhost:" + server.port();
            List<String> inputs = List.of("Datei öffnen", "Fenster schließen", "Neuer Ordner", "Bild speichern",
                    "Drucker nicht gefunden", "Einstellungen speichern");
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (String input : inputs) {
                answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/translate")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"" + input + "\"], \"beam\": 1}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            try (Translator reference = Translator.load(MODELS.resolve("tiny-kmatrix"))) {
                for (int i = 0; i < inputs.size(); i++) {
                    HttpResponse<String> r = answers.get(i).get();
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals(reference.translate(List.of(inputs.get(i)), reference.defaultOptions().withBeam(1)).get(0),
                            Json.MAPPER.readTree(r.body()).get("translations").get(0).asText(), inputs.get(i));
                }
            }
            assertEquals(2, used.size(), "both engines decoded some of the concurrent requests");
            String scrape = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(scrape.contains("kaleido_queue_texts{engine=\"0\",model=\"tiny-kmatrix\"}"), "engine 0 gauge");
            assertTrue(scrape.contains("kaleido_queue_texts{engine=\"1\",model=\"tiny-kmatrix\"}"), "engine 1 gauge");
        } finally {
            server.stop();
            models.close();
        }
    }
}
