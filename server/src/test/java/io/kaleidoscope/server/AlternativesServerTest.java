package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaleidoscope.Translator;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alternative translations through both APIs: LibreTranslate's {@code alternatives} and the
 * native one's, each the beam's other translations as {@link Translator#translateWithAlternatives}
 * gives them, within {@code kaleido.maxAlternatives}.
 */
class AlternativesServerTest {
    private static final String ONE = "Die Datei wurde nicht gefunden.";
    private static final String TWO = "Einstellungen speichern";
    private static TestServer server;
    private static Translator reference;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        reference = Translator.load(TestServer.MODELS.resolve("tiny-kmatrix"));
    }

    @AfterAll
    static void stop() {
        reference.close();
        server.close();
    }

    @Test
    void libreTranslateAnswersTheBeamsOtherTranslations() throws Exception {
        JsonNode one = ok(server.post("/translate", "{\"q\": \"" + ONE + "\", \"alternatives\": 2}"));
        Translator.Translation expected = expected(ONE, 4, 2);
        assertEquals(expected.text(), one.get("translatedText").asText());
        assertEquals(expected.alternatives(), strings(one.get("alternatives")));
        assertFalse(expected.alternatives().isEmpty(), "the tiny model has other translations of this sentence");

        JsonNode both = ok(server.post("/translate", "{\"q\": [\"" + ONE + "\", \"" + TWO + "\"], \"alternatives\": 1}"));
        assertEquals(2, both.get("alternatives").size());
        assertEquals(expected(ONE, 4, 1).alternatives(), strings(both.get("alternatives").get(0)));
        assertEquals(expected(TWO, 4, 1).alternatives(), strings(both.get("alternatives").get(1)));

        assertFalse(ok(server.post("/translate", "{\"q\": \"" + ONE + "\"}")).has("alternatives"));
    }

    @Test
    void htmlAlternativesKeepTheTags() throws Exception {
        JsonNode r = ok(server.post("/translate",
                "{\"q\": \"<p>Die Datei wurde <b>nicht</b> gefunden.</p>\", \"format\": \"html\", \"alternatives\": 3}"));
        String document = r.get("translatedText").asText();
        List<String> alternatives = strings(r.get("alternatives"));
        assertFalse(alternatives.isEmpty());
        for (String alternative : alternatives) {
            assertNotEquals(document, alternative);
            assertTrue(alternative.startsWith("<p>") && alternative.endsWith("</p>") && alternative.contains("<b>"), alternative);
        }
        assertEquals(alternatives.size(), alternatives.stream().distinct().count());
    }

    @Test
    void moreAlternativesThanTheLimitAreRefused() throws Exception {
        HttpResponse<String> r = server.post("/translate", "{\"q\": \"" + ONE + "\", \"alternatives\": 4}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("4 alternatives asked for; the limit is 3 (kaleido.maxAlternatives)",
                Json.MAPPER.readTree(r.body()).get("error").asText());
        HttpResponse<String> form = server.client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.base() + "/translate")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("q=Hallo&alternatives=9")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, form.statusCode(), form.body());
    }

    @Test
    void aHigherLimitWidensTheBeam() throws Exception {
        try (TestServer wide = TestServer.start(Map.of("kaleido.maxAlternatives", "5"))) {
            JsonNode r = ok(wide.post("/translate", "{\"q\": \"" + ONE + "\", \"alternatives\": 5}"));
            Translator.Translation expected = expected(ONE, 6, 5);
            assertEquals(expected.text(), r.get("translatedText").asText());
            assertEquals(expected.alternatives(), strings(r.get("alternatives")));
        }
    }

    @Test
    void theNativeApiTakesAlternativesBelowItsBeam() throws Exception {
        JsonNode r = ok(server.post("/v1/translate", "{\"texts\": [\"" + ONE + "\", \"" + TWO + "\"], \"alternatives\": 2}"));
        assertEquals(expected(ONE, 4, 2).alternatives(), strings(r.get("alternatives").get(0)));
        assertEquals(expected(TWO, 4, 2).alternatives(), strings(r.get("alternatives").get(1)));

        HttpResponse<String> narrow = server.post("/v1/translate", "{\"texts\": [\"" + ONE + "\"], \"beam\": 2, \"alternatives\": 2}");
        assertEquals(400, narrow.statusCode(), narrow.body());
        assertEquals("2 alternatives need a beam of at least 3; 'beam' is 2", Json.MAPPER.readTree(narrow.body()).get("error").asText());
        HttpResponse<String> negative = server.post("/v1/translate", "{\"texts\": [\"" + ONE + "\"], \"alternatives\": -1}");
        assertEquals(400, negative.statusCode(), negative.body());
        assertFalse(ok(server.post("/v1/translate", "{\"texts\": [\"" + ONE + "\"], \"alternatives\": 0}")).has("alternatives"));
    }

    private static Translator.Translation expected(String text, int beam, int alternatives) {
        return reference.translateWithAlternatives(List.of(text), reference.defaultOptions().withBeam(beam), alternatives).get(0);
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
