package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link Decoder#warmUpKernels} (the server runs it before /ready) changes no translation, and
 * may run on another thread while the engine thread translates: it uses workspaces and scratch of
 * its own. The small K-matrix bundle is float16, so both the K-matrix layers and the float16
 * output projection are warmed.
 */
class KernelWarmUpTest {
    private static final List<String> TEXTS = List.of("Die Datei wurde nicht gefunden.",
            "Klicken Sie auf Speichern, um die Änderungen zu übernehmen.", "Das Fenster lässt sich nicht schließen.",
            "Öffnen Sie die Einstellungen und wählen Sie einen Drucker aus.");

    @Test
    void warmingUpBesideTheEngineThreadChangesNoTranslation() throws Exception {
        try (Translator translator = Translator.load(TestBundles.MODELS.resolve("small-kmatrix"))) {
            SearchOptions beam = translator.defaultOptions().withBeam(4);
            List<String> before = translator.translate(TEXTS, beam);
            List<String> greedyBefore = translator.translate(TEXTS, beam.withBeam(1));

            AtomicBoolean stop = new AtomicBoolean();
            Thread warmer = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    translator.decoder().warmUpKernels();
                }
            });
            try {
                for (int round = 0; round < 5; round++) {
                    assertEquals(before, translator.translate(TEXTS, beam), "beam 4, round " + round);
                    assertEquals(greedyBefore, translator.translate(TEXTS, beam.withBeam(1)), "greedy, round " + round);
                }
            } finally {
                stop.set(true);
                warmer.join();
            }
            assertEquals(before, translator.translate(TEXTS, beam));
        }
    }
}
