package io.kaleidoscope.cli;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.eval.CorpusBleu;
import io.kaleidoscope.eval.CorpusChrf;
import io.kaleidoscope.eval.PairedBootstrap;
import io.kaleidoscope.model.EnginePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./kaleido evaluate}: translates the German column of a TSV ({@code german<TAB>english[<TAB>…]})
 * and scores it against the English column: corpus BLEU (sacreBLEU 13a, case-sensitive) and chrF2,
 * plus sentences/s of the translation itself (wall time on this thread, tokenisation included),
 * timed after the first few sentences were translated once untimed: without that warm-up the JIT's
 * first minutes (the Vector API kernels run slowly until C2 has compiled them) would be counted,
 * which on a short run misranks engine paths. Shows a progress bar when stderr is a terminal.
 *
 * <p>With {@code --baseline} it evaluates a second bundle on the same sentences and compares the
 * two by paired bootstrap resampling ({@link PairedBootstrap}): the check that decides whether a
 * retrained bundle is clearly better than the one it would replace.
 */
public final class EvaluateCommand {
    private static final String USAGE = """
            usage: ./kaleido evaluate --data FILE.tsv [--model DIR] [--beam N] [--limit N] [--batch N]
                                     [--shortlist on|off] [--baseline DIR [--resamples N]]
              --data FILE.tsv  lines "german<TAB>english[<TAB>...]"
              --model DIR      model bundle (default: models/small-kmatrix, else de-en-kmatrix, else tiny-kmatrix)
              --beam N         beam width, 1 = greedy (default: the bundle's, 4)
              --limit N        only the first N lines
              --batch N        sentences decoded together (default 32)
              --shortlist on   score only the bundle's shortlist candidates (default off)
              --baseline DIR   also evaluate this bundle with the same options, then compare the two
                               by paired bootstrap resampling: is --model better by more than the
                               choice of test sentences explains?
              --resamples N    bootstrap resamples (default 1000)""";

    /** Sentences translated once, untimed, before the timed run. */
    private static final int WARM_UP_SENTENCES = 16;

    private EvaluateCommand() {}

    public static void main(String[] args) throws IOException {
        CommandLine cli = new CommandLine(args,
                Set.of("model", "data", "beam", "limit", "batch", "shortlist", "baseline", "resamples"), USAGE);
        String data = cli.get("data", null);
        if (data == null) {
            CommandLine.fail("--data is required", USAGE);
        }
        int limit = cli.intValue("limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE, USAGE);
        int batch = cli.intValue("batch", 32, 1, 1024, USAGE);
        int resamples = cli.intValue("resamples", 1000, 1, 1_000_000, USAGE);
        List<String> sources = new ArrayList<>();
        List<String> references = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(Path.of(data), StandardCharsets.UTF_8)) {
            lineNumber++;
            if (sources.size() >= limit) {
                break;
            }
            String[] columns = line.split("\t", -1);
            if (columns.length < 2) {
                CommandLine.fail("%s:%d: expected german<TAB>english".formatted(data, lineNumber), USAGE);
            }
            sources.add(columns[0]);
            references.add(columns[1]);
        }
        List<List<String>> referenceStreams = List.of(references);
        List<String> hypotheses = evaluate("model", cli.model(), cli, sources, referenceStreams, data, batch);
        if (cli.has("baseline")) {
            Path baseline = Path.of(cli.get("baseline", null));
            System.out.println();
            List<String> baselineHypotheses = evaluate("baseline", baseline, cli, sources, referenceStreams, data, batch);
            System.out.println();
            printComparison(hypotheses, baselineHypotheses, referenceStreams, resamples);
        }
    }

    /** Translates the sources with one model, prints its scores and speed, returns its translations. */
    private static List<String> evaluate(String label, Path model, CommandLine cli, List<String> sources,
            List<List<String>> references, String data, int batch) {
        try (Translator translator = ModelLoading.loadOrExit(model,
                () -> Translator.load(model, io.kaleidoscope.kmatrix.KMatrixKernels.preferred(), batch))) {
            SearchOptions options = translator.defaultOptions();
            options = options.withBeam(cli.intValue("beam", options.beam(), 1, 64, USAGE))
                    .withShortlist(cli.booleanValue("shortlist", options.shortlist(), USAGE));
            if (options.shortlist() && translator.shortlist() == null) {
                CommandLine.fail(model + " has no shortlist", USAGE);
            }
            List<String> warmUp = sources.subList(0, Math.min(WARM_UP_SENTENCES, sources.size()));
            for (int i = 0; i < warmUp.size(); i += batch) {
                translator.translateSentences(warmUp.subList(i, Math.min(warmUp.size(), i + batch)), options);
            }
            List<String> hypotheses = new ArrayList<>(sources.size());
            boolean terminal = System.console() != null;
            long start = System.nanoTime();
            for (int i = 0; i < sources.size(); i += batch) {
                hypotheses.addAll(translator.translateSentences(sources.subList(i, Math.min(sources.size(), i + batch)), options));
                if (terminal) {
                    progress(hypotheses.size(), sources.size(), System.nanoTime() - start);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (terminal) {
                System.err.println();
            }
            CorpusBleu.Score bleu = CorpusBleu.score(hypotheses, references);
            double chrf = CorpusChrf.score(hypotheses, references);
            // the precisions Translator.load took from the same system properties
            EnginePaths paths = EnginePaths.fromSystemProperties();
            System.out.printf(Locale.ROOT, "%s: %s (%s), beam %d, shortlist %s, encoder %s, decoder %s, %d sentences from %s%n",
                    label, translator.bundle().manifest().name(), translator.bundle().manifest().variant(), options.beam(),
                    options.shortlist() ? "on" : "off", paths.encoder().name().toLowerCase(Locale.ROOT),
                    paths.decoder().name().toLowerCase(Locale.ROOT), sources.size(), data);
            System.out.println(bleu);
            System.out.printf(Locale.ROOT, "chrF2 = %.2f%n", chrf);
            System.out.printf(Locale.ROOT, "speed: %.1f sentences/s (%.1f s wall, one engine thread, batches of %d;"
                    + " after translating the first %d untimed)%n", sources.size() / seconds, seconds, batch, warmUp.size());
            return hypotheses;
        } catch (BundleException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            throw new AssertionError("unreachable");
        }
    }

    /** Paired bootstrap of BLEU and chrF2, the model against the baseline on the same sentences. */
    private static void printComparison(List<String> model, List<String> baseline, List<List<String>> references,
            int resamples) {
        System.out.printf(Locale.ROOT, "paired bootstrap, model - baseline (%d resamples of the %d sentences, seed %d):%n",
                resamples, model.size(), PairedBootstrap.DEFAULT_SEED);
        printComparison("BLEU ", PairedBootstrap.compare(CorpusBleu.sentenceStatistics(model, references),
                CorpusBleu.sentenceStatistics(baseline, references), s -> CorpusBleu.fromStatistics(s).score(),
                resamples, PairedBootstrap.DEFAULT_SEED));
        printComparison("chrF2", PairedBootstrap.compare(CorpusChrf.sentenceStatistics(model, references),
                CorpusChrf.sentenceStatistics(baseline, references), CorpusChrf::fromStatistics,
                resamples, PairedBootstrap.DEFAULT_SEED));
    }

    private static void printComparison(String metric, PairedBootstrap.Comparison c) {
        System.out.printf(Locale.ROOT, "%s %+.2f, 95%% of resamples in [%+.2f, %+.2f]; model better in %d of %d (p = %.4f)%n",
                metric, c.observed(), c.lower(), c.upper(), c.wins(), c.resamples(), c.pValue());
    }

    private static void progress(int done, int total, long nanos) {
        int width = 40;
        int filled = (int) ((long) width * done / Math.max(total, 1));
        double rate = done / (nanos / 1e9);
        System.err.printf(Locale.ROOT, "\r[%s%s] %d/%d  %.1f sent/s", "#".repeat(filled), " ".repeat(width - filled), done, total, rate);
    }
}
