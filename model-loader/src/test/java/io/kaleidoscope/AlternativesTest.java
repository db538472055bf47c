package io.kaleidoscope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.search.BeamSearch;
import io.kaleidoscope.text.TextSegments;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Translator#translateWithAlternatives}: the translation is {@link Translator#translate}'s;
 * the alternatives are the beam's other hypotheses, detokenised, best first, without repeats; a
 * text of several sentences takes each sentence's a-th alternative for its a-th.
 */
class AlternativesTest {
    private static final String ONE = "Die Datei wurde nicht gefunden.";
    private static final String TWO = "Möchten Sie die Änderungen speichern?";
    private static Translator translator;
    private static SearchOptions beam4;

    @BeforeAll
    static void load() {
        translator = Translator.load(TestBundles.TINY_KMATRIX);
        beam4 = translator.defaultOptions().withBeam(4);
    }

    @AfterAll
    static void close() {
        translator.close();
    }

    @Test
    void aSentencesAlternativesAreItsOtherHypothesesBestFirst() {
        List<String> ranked = rankedTexts(ONE);
        Translator.Translation got = translator.translateWithAlternatives(List.of(ONE), beam4, 3).get(0);
        assertEquals(translator.translate(List.of(ONE), beam4).get(0), got.text());
        assertEquals(ranked.get(0), got.text());
        LinkedHashSet<String> expected = new LinkedHashSet<>(ranked.subList(1, 4));
        expected.remove(got.text());
        assertEquals(List.copyOf(expected), got.alternatives());
        assertFalse(got.alternatives().isEmpty(), "a beam of 4 finds other translations of this sentence");
    }

    @Test
    void fewerAlternativesAreTheFirstOnes() {
        Translator.Translation three = translator.translateWithAlternatives(List.of(ONE), beam4, 3).get(0);
        Translator.Translation one = translator.translateWithAlternatives(List.of(ONE), beam4, 1).get(0);
        assertEquals(three.text(), one.text());
        assertTrue(one.alternatives().size() <= 1);
        assertEquals(three.alternatives().subList(0, one.alternatives().size()), one.alternatives());
    }

    @Test
    void aTextOfTwoSentencesCombinesTheirAlternativesRankByRank() {
        String text = ONE + "  " + TWO;
        List<String> first = rankedTexts(ONE);
        List<String> second = rankedTexts(TWO);
        Translator.Translation got = translator.translateWithAlternatives(List.of(text), beam4, 2).get(0);
        assertEquals(first.get(0) + "  " + second.get(0), got.text());
        List<String> expected = new ArrayList<>();
        for (int a = 1; a <= 2; a++) {
            String other = first.get(a) + "  " + second.get(a);
            if (!other.equals(got.text()) && !expected.contains(other)) {
                expected.add(other);
            }
        }
        assertEquals(expected, got.alternatives());
    }

    @Test
    void withoutAlternativesItIsTranslate() {
        List<String> texts = List.of(ONE, "", TWO + "\n" + ONE);
        List<Translator.Translation> got = translator.translateWithAlternatives(texts, beam4, 0);
        assertEquals(translator.translate(texts, beam4), got.stream().map(Translator.Translation::text).toList());
        got.forEach(t -> assertEquals(List.of(), t.alternatives()));
    }

    @Test
    void alternativesNeedAWiderBeam() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> translator.translateWithAlternatives(List.of(ONE), beam4, 4));
        assertEquals("4 alternatives need a beam of at least 5, got 4", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> translator.translateWithAlternatives(List.of(ONE), beam4.withBeam(1), 1));
        assertThrows(IllegalArgumentException.class, () -> translator.translateWithAlternatives(List.of(ONE), beam4, -1));
    }

    /** The sentence's four finished hypotheses, best first, as text: straight from the search. */
    private static List<String> rankedTexts(String sentence) {
        int[] source = translator.tokenizer().sourceIds(sentence);
        int[] maxLength = {beam4.maxOutputLength(source.length)};
        try (DecoderState state = translator.decoder().newState(translator.encoder().encode(new int[][] {source}), null)) {
            BeamSearch.Hypothesis[] ranked = BeamSearch.runRanked(translator.decoder(), state, translator.config(), maxLength,
                    4, beam4.lengthPenalty())[0];
            List<String> texts = new ArrayList<>();
            for (BeamSearch.Hypothesis h : ranked) {
                texts.add(TextSegments.oneLine(translator.tokenizer().decode(h.ids())));
            }
            return texts;
        }
    }
}
