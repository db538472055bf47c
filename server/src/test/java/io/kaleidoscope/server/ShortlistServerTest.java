package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.Translator;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** kaleido.shortlist = on: every search of the server scores only the bundle's shortlist candidates. */
class ShortlistServerTest {
    @Test
    void translationsUseTheShortlistWhenItIsOn() throws Exception {
        Set<Boolean> seen = ConcurrentHashMap.newKeySet();
        try (TestServer s = TestServer.start(Map.of("kaleido.shortlist", "on"), translator -> (texts, options) -> {
            seen.add(options.shortlist());
            return translator.translate(texts, options);
        })) {
            String input = "Die Datei wurde nicht gefunden.";
            HttpResponse<String> r = s.post("/v1/translate", "{\"texts\": [\"" + input + "\"]}");
            assertEquals(200, r.statusCode(), r.body());
            try (Translator reference = Translator.load(TestServer.MODELS.resolve("tiny-kmatrix"))) {
                assertEquals(reference.translate(List.of(input), reference.defaultOptions().withShortlist(true)).get(0),
                        Json.MAPPER.readTree(r.body()).get("translations").get(0).asText());
            }
        }
        assertEquals(Set.of(true), seen, "the warm-up and the request both ran shortlisted");
    }

    @Test
    void theSettingIsOnOrOff() {
        assertEquals(false, ServerConfig.from(Map.of(), Map.of()).shortlist());
        assertEquals(true, ServerConfig.from(Map.of(), Map.of("KALEIDO_SHORTLIST", "on")).shortlist());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.from(Map.of("kaleido.shortlist", "maybe"), Map.of()));
        assertTrue(e.getMessage().contains("kaleido.shortlist"), e.getMessage());
    }
}
