package io.kaleidoscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `./kaleido translate` reads lines ended by "\n" only, keeping each line's ending. */
class TranslateCommandLinesTest {

    private static List<TranslateCommand.Line> lines(String input) throws IOException {
        StringReader in = new StringReader(input);
        List<TranslateCommand.Line> lines = new ArrayList<>();
        for (TranslateCommand.Line line = TranslateCommand.Line.read(in); line != null; line = TranslateCommand.Line.read(in)) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void crlfIsKeptAndALoneCarriageReturnStaysInItsLine() throws IOException {
        assertEquals(List.of(new TranslateCommand.Line("eins", "\r\n"), new TranslateCommand.Line("zwei", "\r\n"),
                new TranslateCommand.Line("", "\r\n"), new TranslateCommand.Line("drei\rvier", "\n")),
                lines("eins\r\nzwei\r\n\r\ndrei\rvier\n"));   // wc -l: 4 lines, so 4 translations
    }

    @Test
    void aLastLineWithoutEndingAndEmptyInput() throws IOException {
        assertEquals(List.of(new TranslateCommand.Line("a", "\n"), new TranslateCommand.Line("b", "")), lines("a\nb"));
        assertEquals(List.of(), lines(""));
        assertEquals(List.of(new TranslateCommand.Line("", "\n"), new TranslateCommand.Line("", "\n")), lines("\n\n"));
    }
}
