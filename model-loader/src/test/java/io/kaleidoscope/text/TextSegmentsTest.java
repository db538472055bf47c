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
}
