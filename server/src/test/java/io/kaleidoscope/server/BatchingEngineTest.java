package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's queue sheds load with 503 when full and takes work again once texts are done. */
class BatchingEngineTest {
    private static final Path KMATRIX = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath()
            .normalize().resolve("tiny-kmatrix");

    @Test
    void aFailingBatchFailsOnlyItsRequestsAndTheEngineKeepsServing() {
        Translator translator = Translator.load(KMATRIX);
        BatchingEngine.Decode failOnPoison = (texts, options) -> {
            if (texts.contains("POISON")) {
                throw new IllegalStateException("injected failure");
            }
            return translator.translate(texts, options);
        };
        try (BatchingEngine engine = new BatchingEngine(translator, failOnPoison, "test", 16, 4000, 0, 0, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions().withBeam(1);
            var poisoned = engine.submit(List.of("POISON"), options);
            java.util.concurrent.CompletionException failed = assertThrows(java.util.concurrent.CompletionException.class, poisoned::join);
            assertEquals("injected failure", failed.getCause().getMessage());
            assertEquals(translator.translate(List.of("Datei öffnen"), options),
                    engine.submit(List.of("Datei öffnen"), options).join().texts());
        }
    }

    @Test
    void textsThatWouldWaitLongerThanTheLimitAreRefusedAtOnce() {
        Translator translator = Translator.load(KMATRIX);
        // 40 ms per text, whatever the batch: the engine learns that pace from the first batch.
        BatchingEngine.Decode slow = (texts, options) -> {
            try {
                Thread.sleep(40L * texts.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return texts.stream().map(t -> "x").toList();
        };
        try (BatchingEngine engine = new BatchingEngine(translator, slow, "test", 100, 4000, 0, 300, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions();
            engine.submit(List.of("eins"), options).join();
            var five = engine.submit(List.of("a", "b", "c", "d", "e"), options);      // 5 × 40 ms = 200 ms ≤ 300 ms
            long start = System.nanoTime();
            ApiException refused = assertThrows(ApiException.class, () -> engine.submit(List.of("f", "g", "h", "i", "j"), options));
            long refusedAfter = System.nanoTime() - start;
            assertEquals(503, refused.status());
            assertTrue(refused.getMessage().startsWith("the translation queue is 0.4 s deep (limit 0.3 s"), refused.getMessage());
            assertTrue(refusedAfter < 100_000_000L, "refused at once, not after waiting: " + refusedAfter + " ns");
            assertEquals(5, five.join().texts().size());
            assertEquals(5, engine.submit(List.of("f", "g", "h", "i", "j"), options).join().texts().size());   // room again
        }
    }

    @Test
    void fullQueueIsRefusedWith503AndFreesUpAfterwards() {
        try (BatchingEngine engine = new BatchingEngine(Translator.load(KMATRIX), "test", 2, 4000, 0, new ServerMetrics())) {
            SearchOptions options = engine.translator().defaultOptions().withBeam(4);
            var first = engine.submit(List.of("Die Datei wurde nicht gefunden.", "Einstellungen speichern"), options);
            ApiException full = assertThrows(ApiException.class, () -> engine.submit(List.of("Bild speichern"), options));
            assertEquals(503, full.status());
            assertEquals(2, first.join().texts().size());
            assertEquals(1, engine.submit(List.of("Bild speichern"), options).join().texts().size());
        }
    }
}
