package io.kaleidoscope.loadtest.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Test
    void theTargetsSayWhatWasMeasuredAndWhetherItMeetsThem() {
        List<DecodeBenchmark.Outcome> outcomes = List.of(
                new DecodeBenchmark.Outcome(new DecodeBenchmark.Config(1, 1, false), 2.16, 1.0, 2.0),    // not a target
                new DecodeBenchmark.Outcome(new DecodeBenchmark.Config(1, 4, false), 1.84, 30.125, 29.0),
                new DecodeBenchmark.Outcome(new DecodeBenchmark.Config(32, 4, false), 1.37, 1.0, 2.0),   // not a target
                new DecodeBenchmark.Outcome(new DecodeBenchmark.Config(1, 4, true), 2.0, 29.5, 28.75));
        Map<String, Double> javaOverTorch = new LinkedHashMap<>();
        javaOverTorch.put("dense beam 1", 2.78);
        javaOverTorch.put("K-matrix beam 4", 6.75);
        assertEquals("""

                Targets:

                - K-matrix ≥ 2.0× the dense model, batch 1, beam 4, full vocabulary: 1.84× (BLEU dense 30.13, K-matrix 29.00): NOT met
                - K-matrix ≥ 2.0× the dense model, batch 1, beam 4, shortlisted vocabulary: 2.00× (BLEU dense 29.50, K-matrix 28.75): met
                - Java engine ≥ 3× PyTorch eager, dense beam 1: 2.78×: NOT met
                - Java engine ≥ 3× PyTorch eager, K-matrix beam 4: 6.75×: met
                """, DecodeBenchmark.targets("kmatrix", outcomes, javaOverTorch));
        assertEquals("", DecodeBenchmark.targets("kmatrix", List.of(outcomes.get(2)), Map.of()), "batch 32 alone measures no target");
        assertEquals("""

                Targets:

                - K-matrix (variant kmatrix-encoder) ≥ 2.0× the dense model, batch 1, beam 4, full vocabulary: 1.84× (BLEU dense 30.13, K-matrix 29.00): NOT met
                """, DecodeBenchmark.targets("kmatrix-encoder", List.of(outcomes.get(1)), Map.of()));
    }

    @Test
    void aLengthRuleFittedToTheReferencesAddsUpToTheirTokens() {
        int[][] sources = {new int[10], new int[6], new int[4]};     // 20 source tokens
        int[][] references = {new int[8], new int[5], new int[2]};   // 15 reference tokens
        LengthRule rule = LengthRule.fittedTo(sources, references);
        assertEquals(0.75, rule.a());
        assertEquals(1, rule.b());
        SearchOptions options = rule.applyTo(new SearchOptions(4, 1.0, 1.5, 10));
        // ⌊0.75·10⌋+1, ⌊0.75·6⌋+1, ⌊0.75·4⌋+1
        assertEquals(List.of(8, 5, 4), Arrays.stream(sources).map(s -> options.maxOutputLength(s.length)).toList());
        assertEquals(4, options.beam());
        assertThrows(IllegalArgumentException.class, () -> new LengthRule(1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LengthRule(Double.NaN, 1));
    }

    @Test
    void outputsAtTheirLimitCountsThoseAsLongAsTheRuleAllows() {
        SearchOptions options = new SearchOptions(1, 1.0, 1.0, 1);        // limit = source + 1, eos included
        int[][] sources = {new int[3], new int[3], new int[5]};
        int[][] outputs = {new int[3], new int[2], new int[5]};           // 3 + eos = 4 = limit; 3 < 4; 6 = 6
        assertEquals(2, DecodeBenchmark.outputsAtTheirLimit(sources, outputs, options));
    }

    @Test
    void aConfigWithoutALengthRuleKeepsTheBundlesLimit() {
        try (Translator dense = Translator.load(MODELS.resolve("tiny-dense"))) {
            SearchOptions bundle = new DecodeBenchmark.Config(1, 4, false).options(dense);
            assertEquals(dense.defaultOptions().withBeam(4), bundle);
            SearchOptions fitted = new DecodeBenchmark.Config(1, 1, true, new LengthRule(0.5, 2)).options(dense);
            assertEquals(dense.defaultOptions().withBeam(1).withShortlist(true).withMaxLength(0.5, 2), fitted);
            assertEquals(7, fitted.maxOutputLength(10));
        }
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
