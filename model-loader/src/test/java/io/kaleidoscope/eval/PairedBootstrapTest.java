package io.kaleidoscope.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {
    private static final ToDoubleFunction<long[]> BLEU = s -> CorpusBleu.fromStatistics(s).score();
    private static final List<String> REFERENCES = List.of(
            "The file was not found.", "Please restart the server.", "The dog bit the man.",
            "It was not unexpected.", "Open the window before you leave.", "We meet again tomorrow morning.");
    private static final List<String> GOOD = List.of(
            "The file was not found.", "Please restart the server.", "The dog bit a man.",
            "It was not surprising.", "Open the window before leaving.", "We meet again tomorrow.");
    private static final List<String> WORSE = List.of(
            "The file is not found.", "Restart please the server.", "A dog bit the man.",
            "It was no surprise.", "Open window before you go.", "Tomorrow we meet again.");

    private static long[][] bleuStatistics(List<String> hypotheses) {
        return CorpusBleu.sentenceStatistics(hypotheses, List.of(REFERENCES));
    }

    @Test
    void aSystemAgainstItselfNeverWins() {
        PairedBootstrap.Comparison c = PairedBootstrap.compare(bleuStatistics(GOOD), bleuStatistics(GOOD), BLEU, 200, 1);
        assertEquals(0.0, c.observed());
        assertEquals(0.0, c.lower());
        assertEquals(0.0, c.upper());
        assertEquals(0, c.wins());
        assertEquals(1.0, c.pValue());
    }

    @Test
    void aGainInEverySentenceIsTheSameInEveryResample() {
        // a metric that is just the sum of one statistic: each resample of n sentences gains n
        long[][] baseline = {{3}, {0}, {7}, {2}};
        long[][] model = {{4}, {1}, {8}, {3}};
        PairedBootstrap.Comparison c = PairedBootstrap.compare(model, baseline, s -> s[0], 1000, 5);
        assertEquals(4.0, c.observed());
        assertEquals(4.0, c.lower());
        assertEquals(4.0, c.upper());
        assertEquals(1000, c.wins());
        assertEquals(1.0 / 1001, c.pValue());
    }

    @Test
    void swappingTheSystemsMirrorsTheComparison() {
        PairedBootstrap.Comparison forward = PairedBootstrap.compare(bleuStatistics(GOOD), bleuStatistics(WORSE), BLEU, 1000, 7);
        PairedBootstrap.Comparison backward = PairedBootstrap.compare(bleuStatistics(WORSE), bleuStatistics(GOOD), BLEU, 1000, 7);
        double gain = CorpusBleu.score(GOOD, List.of(REFERENCES)).score() - CorpusBleu.score(WORSE, List.of(REFERENCES)).score();
        assertEquals(gain, forward.observed());
        assertEquals(-gain, backward.observed());
        assertEquals(-forward.upper(), backward.lower());
        assertEquals(-forward.lower(), backward.upper());
        assertTrue(forward.lower() <= forward.observed() && forward.observed() <= forward.upper());
        assertTrue(forward.wins() + backward.wins() <= 1000);
        assertEquals((1.0 + 1000 - forward.wins()) / 1001, forward.pValue());
    }

    @Test
    void theSameSeedGivesTheSameFigures() {
        PairedBootstrap.Comparison a = PairedBootstrap.compare(bleuStatistics(GOOD), bleuStatistics(WORSE), BLEU, 300, 11);
        PairedBootstrap.Comparison b = PairedBootstrap.compare(bleuStatistics(GOOD), bleuStatistics(WORSE), BLEU, 300, 11);
        assertEquals(a, b);
    }

    @Test
    void refusesSystemsScoredOnDifferentSentences() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PairedBootstrap.compare(new long[2][1], new long[3][1], s -> s[0], 10, 1));
        assertTrue(e.getMessage().contains("2 against 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PairedBootstrap.compare(new long[2][1], new long[2][1], s -> s[0], 0, 1));
    }
}
