package io.kaleidoscope.loadtest.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The interleaved measurement decodes every sentence once per model and returns outputs in input
 * order; the per-repetition ratio range pairs each repetition's two measurements.
 */
class DecodeBenchmarkTest {
    @Test
    void theRatioRangePairsTheModelsOfEachRepetition() {
        DecodeBenchmark.Measurement[][] runs = {
            {measurement(4.0), measurement(3.0), measurement(6.0)},   // dense seconds
            {measurement(2.0), measurement(2.0), measurement(2.0)},   // K-matrix seconds
        };
        assertEquals("1.50–3.00×", DecodeBenchmark.ratioRange(runs));
    }

    private static DecodeBenchmark.Measurement measurement(double seconds) {
        return new DecodeBenchmark.Measurement(seconds, 1, null, new int[0][]);
    }

    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();

    @Test
    void interleavedBatchesGiveEachModelsOutputsInTheOrderOfTheSentences() {
        List<String> texts = List.of("Datei öffnen", "Die Datei konnte nicht gespeichert werden.", "Hallo",
                "Wählen Sie einen Ordner aus, in dem die Dateien gespeichert werden sollen.", "Bild speichern");
        try (Translator dense = Translator.load(MODELS.resolve("tiny-dense"));
             Translator kmatrix = Translator.load(MODELS.resolve("tiny-kmatrix"))) {
            Translator[] models = {dense, kmatrix};
            int[][][] sources = new int[2][][];
            for (int m = 0; m < 2; m++) {
                Translator t = models[m];
                sources[m] = texts.stream().map(t.tokenizer()::sourceIds).toArray(int[][]::new);
            }
            DecodeBenchmark.Config config = new DecodeBenchmark.Config(2, 4, false);
            DecodeBenchmark.Measurement[] pair = DecodeBenchmark.measureInterleaved(models, sources, config, false);
            for (int m = 0; m < 2; m++) {
                SearchOptions options = models[m].defaultOptions().withBeam(4);
                int[][] expected = new int[texts.size()][];
                for (int i = 0; i < texts.size(); i++) {
                    expected[i] = models[m].translateIds(new int[][] {sources[m][i]}, options)[0];
                }
                assertArrayEquals(expected, pair[m].outputs(), "model " + m + ": outputs in sentence order");
                assertEquals(Arrays.stream(expected).mapToLong(o -> o.length + 1).sum(), pair[m].targetTokens());
                assertTrue(pair[m].seconds() > 0);
                assertEquals(Arrays.stream(sources[m]).mapToLong(s -> s.length).sum(), pair[m].split().sourceTokens(),
                        "model " + m + ": every sentence encoded once");
            }
        }
    }
}
