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
