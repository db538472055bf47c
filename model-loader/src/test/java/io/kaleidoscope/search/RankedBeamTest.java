package io.kaleidoscope.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.model.EncodedBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BeamSearch#runRanked}: every sentence gets its k finished hypotheses, distinct, best
 * first, each with the score the model gives that output when it is forced through the decoder;
 * the head of each list is what {@link BeamSearch#run} returns.
 */
class RankedBeamTest {
    private static final String[] TEXTS = {
        "Die Datei wurde nicht gefunden.",
        "Einstellungen speichern",
        "Möchten Sie die Änderungen an diesem Dokument speichern, bevor Sie es schließen?",
        "Abbrechen",
    };
    private static final int BEAM = 4;
    private static final double LENGTH_PENALTY = 1.0;

    static List<Path> bundles() {
        return List.of(TestBundles.TINY_DENSE, TestBundles.TINY_KMATRIX);
    }

    @ParameterizedTest
    @MethodSource("bundles")
    void eachSentenceGetsItsBeamOfDistinctHypothesesBestFirstWithTheirModelScores(Path bundle) {
        try (Translator t = Translator.load(bundle)) {
            int[][] sources = new int[TEXTS.length][];
            int[] maxLengths = new int[TEXTS.length];
            for (int i = 0; i < TEXTS.length; i++) {
                sources[i] = t.tokenizer().sourceIds(TEXTS[i]);
                maxLengths[i] = t.defaultOptions().maxOutputLength(sources[i].length);
            }
            BeamSearch.Hypothesis[][] ranked;
            try (DecoderState state = t.decoder().newState(t.encoder().encode(sources), null)) {
                ranked = BeamSearch.runRanked(t.decoder(), state, t.config(), maxLengths, BEAM, LENGTH_PENALTY);
            }
            BeamSearch.Hypothesis[] best;
            try (DecoderState state = t.decoder().newState(t.encoder().encode(sources), null)) {
                best = BeamSearch.run(t.decoder(), state, t.config(), maxLengths, BEAM, LENGTH_PENALTY);
            }
            assertEquals(TEXTS.length, ranked.length);
            for (int i = 0; i < TEXTS.length; i++) {
                BeamSearch.Hypothesis[] mine = ranked[i];
                assertEquals(BEAM, mine.length, "sentence " + i + " finishes a beam of hypotheses");
                assertArrayEquals(best[i].ids(), mine[0].ids(), "sentence " + i + ": the head is run's result");
                Set<List<Integer>> seen = new HashSet<>();
                for (int h = 0; h < mine.length; h++) {
                    if (h > 0) {
                        assertTrue(mine[h - 1].score() >= mine[h].score(), "sentence " + i + ": best first at " + h);
                    }
                    assertTrue(seen.add(Arrays.stream(mine[h].ids()).boxed().toList()), "sentence " + i + ": hypothesis " + h + " repeats one");
                    double forced = forcedScore(t, sources[i], mine[h].ids());
                    assertEquals(forced, mine[h].score(), 1e-4 * Math.max(1, Math.abs(forced)),
                            "sentence " + i + ", hypothesis " + h + ": the model's own score of that output");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bundles")
    void greedyRankedIsGreedy(Path bundle) {
        try (Translator t = Translator.load(bundle)) {
            int[] source = t.tokenizer().sourceIds(TEXTS[0]);
            int[] maxLength = {t.defaultOptions().maxOutputLength(source.length)};
            BeamSearch.Hypothesis[][] ranked;
            try (DecoderState state = t.decoder().newState(t.encoder().encode(new int[][] {source}), null)) {
                ranked = BeamSearch.runRanked(t.decoder(), state, t.config(), maxLength, 1, LENGTH_PENALTY);
            }
            int[][] greedy;
            try (DecoderState state = t.decoder().newState(t.encoder().encode(new int[][] {source}), null)) {
                greedy = GreedySearch.run(t.decoder(), state, t.config(), maxLength);
            }
            assertEquals(1, ranked[0].length);
            assertArrayEquals(greedy[0], ranked[0][0].ids());
            assertFalse(ranked[0][0].score() > 0);
        }
    }

    /** The output's log-prob sum (eos included) with the decoder forced along it, length-normalised as the search does. */
    private static double forcedScore(Translator t, int[] source, int[] output) {
        EncodedBatch encoded = t.encoder().encode(new int[][] {source});
        float sum = 0f;
        try (DecoderState state = t.decoder().newState(encoded, null)) {
            int previous = t.config().bos();
            for (int step = 0; step <= output.length; step++) {
                state.setInputs(new int[] {previous}, step);
                t.decoder().step(state);
                int next = step < output.length ? output[step] : t.config().eos();
                sum += state.logProb(0, next);
                previous = next;
            }
        }
        return sum / Math.pow(output.length + 1, LENGTH_PENALTY);
    }
}
