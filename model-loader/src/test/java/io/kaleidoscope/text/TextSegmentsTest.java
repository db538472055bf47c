package io.kaleidoscope.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Sentence and line splitting, and rejoining with the original whitespace. */
class TextSegmentsTest {

    private static List<String> sentences(String text) {
        return TextSegments.split(text).stream().filter(TextSegments.Segment::sentence).map(TextSegments.Segment::text).toList();
    }

    @Test
    void splitsSentencesAndLines() {
        assertEquals(List.of("Hallo Welt.", "Wie geht es?", "Gut!"), sentences("Hallo Welt. Wie geht es? Gut!"));
        assertEquals(List.of("Erste Zeile", "Zweite Zeile."), sentences("Erste Zeile\nZweite Zeile."));
    }

    @Test
    void keepsAbbreviationsNumbersAndLowerCaseContinuations() {
        assertEquals(List.of("Das ist z. B. ein Test."), sentences("Das ist z. B. ein Test."));
        assertEquals(List.of("Am 3. Mai kam Dr. Müller."), sentences("Am 3. Mai kam Dr. Müller."));
        assertEquals(List.of("Version 2.0 ist da."), sentences("Version 2.0 ist da."));
        assertEquals(List.of("Er sagte... und ging."), sentences("Er sagte... und ging."));
    }

    @Test
    void rejoinKeepsEveryWhitespace() {
        String text = "  Hallo Welt.  Wie geht es?\n\n\tGut!  ";
        List<TextSegments.Segment> segments = TextSegments.split(text);
        assertEquals(List.of("Hallo Welt.", "Wie geht es?", "Gut!"), sentences(text));
        assertEquals("  A.  B?\n\n\tC!  ", TextSegments.join(segments, List.of("A.", "B?", "C!")));
        assertEquals(text, TextSegments.join(segments, List.of("Hallo Welt.", "Wie geht es?", "Gut!")));
    }

    @Test
    void emptyAndWhitespaceOnlyTextsHaveNoSentences() {
        assertEquals(List.of(), sentences(""));
        assertEquals(List.of(), sentences(" \n\t "));
        assertEquals(" \n ", TextSegments.join(TextSegments.split(" \n "), List.of()));
    }

    @Test
    void noBreakSpacesControlAndInvisibleCharactersAreGapsKeptVerbatim() {
        String text = "\u00a0Hallo Welt.\u00a0\u200b";
        assertEquals(List.of("Hallo Welt."), sentences(text));
        assertEquals("\u00a0Hello world.\u00a0\u200b", TextSegments.join(TextSegments.split(text), List.of("Hello world.")));
        for (String gapsOnly : List.of("\u0000", "\u00a0", "\u200b\ufeff", "\u202f\u2007", "\u0007 \u001b", "\u200e")) {
            assertEquals(List.of(), sentences(gapsOnly), gapsOnly);
            assertEquals(false, TextSegments.hasSentence(gapsOnly), gapsOnly);
        }
        assertEquals(true, TextSegments.hasSentence("\u00a0x"));
        // inside a sentence they stay part of it
        assertEquals(List.of("Hallo\u00a0Welt"), sentences("Hallo\u00a0Welt"));
    }

    @Test
    void everyKindOfLineBreakSplitsAndIsKept() {
        for (String br : List.of("\u2028", "\u2029", "\u0085", "\u000B", "\f", "\r\n")) {
            String text = "Hallo" + br + "Welt";
            assertEquals(List.of("Hallo", "Welt"), sentences(text), br);
            assertEquals("A" + br + "B", TextSegments.join(TextSegments.split(text), List.of("A", "B")), br);
        }
        assertEquals(List.of("Ende.", "Neuer Satz."), sentences("Ende.\u00a0Neuer Satz."));
    }

    @Test
    void sentencesLongerThanTheLimitAreCutAtTheirLastGapAndRejoinedExactly() {
        String run = "Sehr langer Satz ohne Ende und ".repeat(10).strip();   // 309 characters, no sentence end
        List<String> pieces = sentences2(run, 40);
        assertEquals(run, TextSegments.join(TextSegments.split(run, 40), pieces));   // identity translation: nothing lost
        for (String piece : pieces) {
            assertEquals(true, piece.length() <= 40, piece);
        }
        assertEquals("Sehr langer Satz ohne Ende und Sehr", pieces.get(0));
        // no gap at all: cut at the limit, never inside a surrogate pair
        String emoji = "a" + "😀".repeat(10);   // 21 chars
        List<String> cut = sentences2(emoji, 4);
        assertEquals(List.of("a😀", "😀😀", "😀😀", "😀😀", "😀😀", "😀"), cut);
        assertEquals(emoji, String.join("", cut));
        // shorter texts are not affected
        assertEquals(List.of("Hallo Welt."), sentences2("Hallo Welt.", 40));
    }

    private static List<String> sentences2(String text, int max) {
        return TextSegments.split(text, max).stream().filter(TextSegments.Segment::sentence).map(TextSegments.Segment::text).toList();
    }

    @Test
    void aTranslationIsOneLine() {
        assertEquals("Open the file", TextSegments.oneLine("Open the file"));
        assertEquals("Open  the file now", TextSegments.oneLine("Open\r\nthe file\u2028now"));
    }
}
