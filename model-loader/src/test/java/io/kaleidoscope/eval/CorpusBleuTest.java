package io.kaleidoscope.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** BLEU and chrF against sacreBLEU's published README example, plus hand-computed cases. */
class CorpusBleuTest {
    private static final List<String> HYPS = List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");
    private static final List<List<String>> REFS = List.of(
            List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
            List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));

    @Test
    void sacreBleuReadmeExample() {
        CorpusBleu.Score s = CorpusBleu.score(HYPS, REFS);
        assertEquals("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", s.toString());
    }

    @Test
    void sacreBleuReadmeChrf() {
        assertEquals(59.73, Math.round(CorpusChrf.score(HYPS, REFS) * 100) / 100.0);
    }

    @Test
    void sentenceStatisticsSumToTheCorpusScores() {
        long[][] bleu = CorpusBleu.sentenceStatistics(HYPS, REFS);
        // "The dog bit the man." matches its first reference: 6/5/4/3 n-grams, all matched, 6 tokens each
        assertArrayEquals(new long[] {6, 5, 4, 3, 6, 5, 4, 3, 6, 6}, bleu[0]);
        // "It wasn't surprising." (4 tokens): "It" and "." match; the closest reference length is 5
        assertArrayEquals(new long[] {2, 0, 0, 0, 4, 3, 2, 1, 4, 5}, bleu[1]);
        assertEquals(CorpusBleu.score(HYPS, REFS).toString(), CorpusBleu.fromStatistics(SentenceStatistics.sum(bleu)).toString());
        assertEquals(CorpusChrf.score(HYPS, REFS),
                CorpusChrf.fromStatistics(SentenceStatistics.sum(CorpusChrf.sentenceStatistics(HYPS, REFS))));
    }

    @Test
    void tokenisation13a() {
        assertArrayEquals(new String[] {"It", "wasn't", "surprising", "."}, Tokenizer13a.tokenize("It wasn't surprising."));   // the apostrophe is not in 13a's symbol set
        assertArrayEquals(new String[] {"Costs", "3.50", "€", ",", "1,000", "items", "(", "5", "-", "7", ")"},
                Tokenizer13a.tokenize("Costs 3.50 €, 1,000 items (5-7)"));
        assertArrayEquals(new String[] {"a", "&", "b", "<", "c"}, Tokenizer13a.tokenize("a &amp; b &lt; c"));
    }

    @Test
    void noMatchAtAllIsZeroLikeSacreBleu() {
        // sacreBLEU stops early when nothing matches (its issue #141): 0, not the smoothed 7.99
        CorpusBleu.Score none = CorpusBleu.score(List.of("a b c d"), List.of(List.of("e f g h")));
        assertEquals(0.0, none.score());
        assertArrayEquals(new double[] {0, 0, 0, 0}, none.precisions());
        assertTrue(CorpusBleu.score(List.of("a b c d"), List.of(List.of("a f g h"))).score() > 0);
    }

    @Test
    void identicalIs100AndCaseMatters() {
        assertEquals(100.0, CorpusBleu.score(List.of("Open the file now."), List.of(List.of("Open the file now."))).score(), 1e-9);
        double lower = CorpusBleu.score(List.of("open the file now."), List.of(List.of("Open the file now."))).score();
        assertEquals(true, lower < 100.0);
    }

    @Test
    void controlCharactersInsideTokensDoNotConfuseNgramOrders() {
        // A model's byte-fallback pieces can emit any character, separators included.
        CorpusBleu.Score s = CorpusBleu.score(List.of("a\u0001b\u0001c\u0001d\u0001e\u0001f x y"), List.of(List.of("x y")));
        assertEquals(2, s.refLength());
        assertEquals(3, s.hypLength());
    }

    @Test
    void emptyHypothesisScoresZero() {
        CorpusBleu.Score s = CorpusBleu.score(List.of(""), List.of(List.of("Open the file.")));
        assertEquals(0.0, s.score());
        assertEquals(0.0, s.brevityPenalty());
    }
}
