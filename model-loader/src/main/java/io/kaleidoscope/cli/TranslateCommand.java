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
 * empty line stays empty; a line with several sentences is split and rejoined). Lines are read
 * in blocks and each block decoded as batches.
 */
public final class TranslateCommand {
    private static final String USAGE = """
            usage: ./kaleido translate [--model DIR] [--beam N] [--block LINES] [--shortlist on|off]
              --model DIR    model bundle (default: models/de-en-kmatrix, else models/tiny-kmatrix)
              --beam N       beam width, 1 = greedy (default: the bundle's, 4)
              --block LINES  lines read and translated together (default 64)
              --shortlist on score only the bundle's shortlist candidates (default off)""";

    private TranslateCommand() {}

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
            List<String> lines = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
                if (lines.size() == block) {
                    translator.translate(lines, options).forEach(out::println);
                    out.flush();
                    lines.clear();
                }
            }
            translator.translate(lines, options).forEach(out::println);
            out.flush();
        } catch (BundleException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
