package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.Translator;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** kaleido.enginesPerModel = 2: two engine threads of one model share the load and answer alike. */
class EnginesPerModelTest {
    @Test
    void concurrentRequestsAreSpreadOverTheModelsEngines() throws Exception {
        Set<Translator> used = ConcurrentHashMap.newKeySet();
        try (TestServer s = TestServer.start(Map.of("kaleido.enginesPerModel", "2", "kaleido.maxWaitMs", "300"),
                translator -> (texts, options) -> {
                    used.add(translator);
                    return translator.translate(texts, options);
                })) {
            assertEquals(List.of("tiny-kmatrix"), s.models.names());
            List<String> inputs = List.of("Datei öffnen", "Fenster schließen", "Neuer Ordner", "Bild speichern",
                    "Drucker nicht gefunden", "Einstellungen speichern");
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (String input : inputs) {
                answers.add(s.postAsync("/v1/translate", "{\"texts\": [\"" + input + "\"], \"beam\": 1}"));
            }
            try (Translator reference = Translator.load(TestServer.MODELS.resolve("tiny-kmatrix"))) {
                for (int i = 0; i < inputs.size(); i++) {
                    HttpResponse<String> r = answers.get(i).get();
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals(reference.translate(List.of(inputs.get(i)), reference.defaultOptions().withBeam(1)).get(0),
                            Json.MAPPER.readTree(r.body()).get("translations").get(0).asText(), inputs.get(i));
                }
            }
            assertEquals(2, used.size(), "both engines decoded some of the concurrent requests");
            String scrape = s.get("/metrics").body();
            assertTrue(scrape.contains("kaleido_queue_texts{engine=\"0\",model=\"tiny-kmatrix\"}"), "engine 0 gauge");
            assertTrue(scrape.contains("kaleido_queue_texts{engine=\"1\",model=\"tiny-kmatrix\"}"), "engine 1 gauge");
        }
    }
}
