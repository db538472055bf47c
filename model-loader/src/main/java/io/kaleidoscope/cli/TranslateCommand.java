package io.kaleidoscope.cli;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.BundleException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ./kaleido translate}: German lines on stdin, English lines on stdout, one for one (an
 * empty line stays empty; a line with several sentences is split and rejoined; line endings, LF
 * or CRLF, are kept). Lines are read
 * in blocks and each block decoded as batches.
 */
public final class TranslateCommand {
    private static final String USAGE = """
            usage: ./kaleido translate [--model DIR] [--beam N] [--block LINES] [--shortlist on|off]
              --model DIR    model bundle (default: models/small-kmatrix, else de-en-kmatrix, else tiny-kmatrix)
              --beam N       beam width, 1 = greedy (default: the bundle's, 4)
              --block LINES  lines read and translated together (default 64)
              --shortlist on score only the bundle's shortlist candidates (default off)""";

    private TranslateCommand() {}

    /**
     * A line of input and how it ended: "\n", "\r\n", or "" for a last line without one. Only
     * "\n" ends a line, so the output has exactly the input's line count (a lone "\r" inside a
     * line stays in it, kept by the sentence splitter), and CRLF input gives CRLF output.
     */
    record Line(String text, String ending) {
        /** The next line, or null at the end of the input. */
        static Line read(java.io.Reader in) throws java.io.IOException {
            StringBuilder text = new StringBuilder();
            for (int c = in.read(); c >= 0; c = in.read()) {
                if (c == '\n') {
                    boolean crlf = !text.isEmpty() && text.charAt(text.length() - 1) == '\r';
                    return crlf ? new Line(text.substring(0, text.length() - 1), "\r\n") : new Line(text.toString(), "\n");
                }
                text.append((char) c);
            }
            return text.isEmpty() ? null : new Line(text.toString(), "");
        }
    }

    /** The translations, each with its line's ending ("\n" after a last line that had none). */
    private static void write(List<String> translations, List<Line> lines, PrintStream out) {
        for (int i = 0; i < lines.size(); i++) {
            String ending = lines.get(i).ending();
            out.print(translations.get(i));
            out.print(ending.isEmpty() ? "\n" : ending);
        }
        out.flush();
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine(args, Set.of("model", "beam", "block", "shortlist"), USAGE);
        int block = cli.intValue("block", 64, 1, 100_000, USAGE);
        try (Translator translator = ModelLoading.loadOrExit(cli.model(), () -> Translator.load(cli.model()))) {
            SearchOptions options = translator.defaultOptions();
            options = options.withBeam(cli.intValue("beam", options.beam(), 1, 64, USAGE))
                    .withShortlist(cli.booleanValue("shortlist", options.shortlist(), USAGE));
            if (options.shortlist() && translator.shortlist() == null) {
                CommandLine.fail(cli.model() + " has no shortlist", USAGE);
            }
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            List<Line> lines = new ArrayList<>();
            for (Line line = Line.read(in); line != null; line = Line.read(in)) {
                lines.add(line);
                if (lines.size() == block) {
                    write(translator.translate(lines.stream().map(Line::text).toList(), options), lines, out);
                    lines.clear();
                }
            }
            write(translator.translate(lines.stream().map(Line::text).toList(), options), lines, out);
        } catch (BundleException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
