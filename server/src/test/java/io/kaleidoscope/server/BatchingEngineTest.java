package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        try (BatchingEngine engine = new BatchingEngine(translator, failOnPoison, "test", 16, 4000, 0, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions().withBeam(1);
            var poisoned = engine.submit(List.of("POISON"), options);
            java.util.concurrent.CompletionException failed = assertThrows(java.util.concurrent.CompletionException.class, poisoned::join);
            assertEquals("injected failure", failed.getCause().getMessage());
            assertEquals(translator.translate(List.of("Datei öffnen"), options),
                    engine.submit(List.of("Datei öffnen"), options).join().texts());
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
