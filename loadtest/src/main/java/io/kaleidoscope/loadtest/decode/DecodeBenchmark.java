package io.kaleidoscope.loadtest.decode;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.DefaultModels;
import io.kaleidoscope.eval.CorpusBleu;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import io.kaleidoscope.loadtest.Machine;
import io.kaleidoscope.model.AbsorbedAttention;
import io.kaleidoscope.model.EnginePaths;
import io.kaleidoscope.model.EngineTimings;
import io.kaleidoscope.model.OutputProjection;
import io.kaleidoscope.model.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kaleido bench decode}: the end-to-end decode benchmark of DESIGN.md §6. Dense and
 * K-matrix bundles are loaded in one JVM and measured on the same tokenised sentences, batch by
 * batch in alternating order ({@link #measureInterleaved}), on one thread (the launcher pins it to one core), for batch
 * 1 and 32 and beam 1 and 4. Reported per configuration: sentences/s and target tokens/s
 * (output tokens including eos) of each model as the median over repetitions, the K-matrix/dense
 * ratio, each model's BLEU on these sentences, and where the time went (encoder, K-matrix layers,
 * ONNX Runtime decoder graphs, output projection, search).
 *
 * <p>Tokenisation and detokenisation are outside the timed region; everything from source ids to
 * output ids is inside. A warm-up pass per model and configuration runs first (JIT, ONNX Runtime
 * arenas). With {@code --torch} it also runs {@code training/bench_decode.py}, the same bundles in
 * PyTorch eager on one thread, and reports the Java/PyTorch ratio.
 */
public final class DecodeBenchmark {
    private static final String USAGE = """
            usage: ./kaleido bench decode [--dense DIR] [--kmatrix DIR] [--data FILE.tsv] [--limit N]
                                          [--reps R] [--batches 1,32] [--shortlist off|on|both]
                                          [--attention auto|standard|absorbed] [--output auto|onnx|float16]
                                          [--encoder float32|int8] [--decoder float32|int8]
                                          [--lengths bundle|reference]
                                          [--torch] [--out DIR]
              --dense, --kmatrix  bundles (default models/de-en-*, else models/small-*, else models/tiny-*)
              --data    sentences "german<TAB>english" (default data/corpus/test.tsv)
              --limit   sentences measured (default 100)
              --reps    repetitions per configuration, the models interleaved batch by batch (default 3)
              --batches batch sizes measured, each with beam 1 and 4 (default 1,32)
              --shortlist  full vocabulary (off), the bundles' lexical shortlists (on) or both
                           (default: both when both bundles have a shortlist, else off)
              --attention  encoder-decoder attention path of both models (docs/engine.md): chosen per
                           search (auto, the default), or always standard or always absorbed
              --output  full-vocabulary output projection of both models (docs/engine.md): chosen
                        per search (auto, the default), or always ONNX Runtime or always float16
              --encoder encoder of both models: float32 (the default, the model as trained) or
                        int8 (encoder_int8: int8 weights, changes outputs a little; docs/engine.md)
              --decoder decoder products in ONNX Runtime of both models (the dense linears, the
                        attention projections): float32 (the default) or int8 (the _int8 graphs);
                        the K-matrix layers stay float32 in the kernel either way
              --lengths output length limit: the bundles' own (bundle, the default: 1.5 x source
                        tokens + 10), or one fitted to the references' length (reference), for
                        bundles with random weights, which rarely emit eos and would otherwise
                        decode about 2.5 times as many steps as a trained model
              --torch   also run the PyTorch eager reference (Debian python3-torch, one thread)
              --out     where decode-bench.md goes (default target/bench)""";

    /** One measured configuration; {@code lengths} null: the bundles' own length limit. */
    record Config(int batch, int beam, boolean shortlist, LengthRule lengths) {
        Config(int batch, int beam, boolean shortlist) {
            this(batch, beam, shortlist, null);
        }

        SearchOptions options(Translator t) {
            SearchOptions options = t.defaultOptions().withBeam(beam).withShortlist(shortlist);
            return lengths == null ? options : lengths.applyTo(options);
        }
    }

    record Measurement(double seconds, long targetTokens, EngineTimings.Snapshot split, int[][] outputs) {}

    /** A configuration's K-matrix/dense ratio (of the medians) and each model's BLEU, for the targets. */
    record Outcome(Config config, double ratio, double bleuDense, double bleuKMatrix) {}

    /** The engine issue's targets (docs/engine.md): K-matrix / dense at batch 1, beam 4, and Java / PyTorch eager. */
    static final double TARGET_KMATRIX_OVER_DENSE = 2.0;
    static final double TARGET_JAVA_OVER_TORCH = 3.0;

    private DecodeBenchmark() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dense = DefaultModels.forBenchmark("dense");
        Path kmatrix = DefaultModels.forBenchmark("kmatrix");
        Path data = Path.of("data/corpus/test.tsv");
        Path out = Path.of("target/bench");
        int limit = 100;
        int reps = 3;
        boolean torch = false;
        String shortlist = null;
        String lengths = "bundle";
        int[] batches = {1, 32};
        EnginePaths paths = EnginePaths.AUTO;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dense" -> dense = Path.of(args[++i]);
                case "--kmatrix" -> kmatrix = Path.of(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--torch" -> torch = true;
                case "--shortlist" -> shortlist = args[++i];
                case "--lengths" -> lengths = args[++i];
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--out" -> out = Path.of(args[++i]);
                case "--attention" -> paths = paths.withAttention(option(AbsorbedAttention.Path.class, args[++i]));
                case "--output" -> paths = paths.withOutput(option(OutputProjection.class, args[++i]));
                case "--encoder" -> paths = paths.withEncoder(option(Precision.class, args[++i]));
                case "--decoder" -> paths = paths.withDecoder(option(Precision.class, args[++i]));
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        }
        if (!List.of("bundle", "reference").contains(lengths)) {
            System.err.println(USAGE);
            System.exit(2);
        }
        List<String[]> pairs = readPairs(data, limit);
        List<String> references = pairs.stream().map(p -> p[1]).toList();
        StringBuilder report = new StringBuilder();
        // Java tokens/s at batch 1 with the full vocabulary, the configurations PyTorch also runs
        Map<String, Double> javaSpeeds = new HashMap<>();
        List<String> lengthNotes = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        LengthRule lengthRule;
        // The first bundle a JVM loads also pays the JVM's one-time start-up (Jackson, ONNX
        // Runtime's native library, class loading, the JIT's first compilations: about 2 s on the
        // AVX2 machine), which would land on whichever model came first. A first load of the
        // K-matrix bundle, closed again, takes it, so the two timed loads compare the bundles.
        long firstStart = System.nanoTime();
        Translator.load(kmatrix, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, paths).close();
        long loadStart = System.nanoTime();
        Translator loadedDense = Translator.load(dense, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, paths);
        long loadMiddle = System.nanoTime();
        Translator loadedKMatrix = Translator.load(kmatrix, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, paths);
        long loadEnd = System.nanoTime();
        String kmatrixVariant = loadedKMatrix.bundle().manifest().variant();
        try (Translator d = loadedDense; Translator k = loadedKMatrix) {
            Translator[] models = {d, k};
            boolean bothHaveShortlists = d.shortlist() != null && k.shortlist() != null;
            if (shortlist == null) {
                shortlist = bothHaveShortlists ? "both" : "off";
            }
            if (!List.of("off", "on", "both").contains(shortlist)) {
                System.err.println(USAGE);
                System.exit(2);
            }
            if (!shortlist.equals("off") && !bothHaveShortlists) {
                System.err.println("--shortlist " + shortlist + ": both bundles need a shortlist (training/shortlist.py)");
                System.exit(2);
            }
            int[][][] sources = new int[2][][];
            for (int m = 0; m < 2; m++) {
                Translator t = models[m];
                sources[m] = pairs.stream().map(p -> t.tokenizer().sourceIds(p[0])).toArray(int[][]::new);
            }
            // counted with the dense bundle's tokenizer; both bundles' are trained on the same text
            int[][] referenceIds = references.stream().map(d.tokenizer()::sourceIds).toArray(int[][]::new);
            lengthRule = lengths.equals("reference") ? LengthRule.fittedTo(sources[0], referenceIds) : null;
            List<Config> configs = new ArrayList<>();
            for (boolean on : shortlist.equals("both") ? new boolean[] {false, true} : new boolean[] {shortlist.equals("on")}) {
                for (int batch : batches) {
                    configs.add(new Config(batch, 1, on, lengthRule));
                    configs.add(new Config(batch, 4, on, lengthRule));
                }
            }
            report.append(header(d, k, pairs.size(), data, reps, paths, lengthRule));
            report.append(String.format(Locale.ROOT, "Load time (verify checksums, read and widen weights, create sessions): dense %.2f s, K-matrix %.2f s; "
                            + "the JVM's first load (the K-matrix bundle, with the JVM's one-time start-up) %.2f s.%n%n",
                    (loadMiddle - loadStart) / 1e9, (loadEnd - loadMiddle) / 1e9, (loadStart - firstStart) / 1e9));
            report.append(String.format(Locale.ROOT, "The references have %.1f tokens per sentence (eos included).%n%n",
                    (double) Arrays.stream(referenceIds).mapToLong(r -> r.length).sum() / referenceIds.length));
            report.append("| vocabulary | batch | beam | dense sent/s | K-matrix sent/s | ratio | ratio per repetition | dense tok/s | K-matrix tok/s | tokens/sentence dense, K-matrix | BLEU dense | BLEU K-matrix |\n");
            report.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            StringBuilder splits = new StringBuilder("\nTime split (share of the decode time, median repetition):\n\n"
                    + "| model | vocabulary | batch | beam | encoder | K-matrix layers | ONNX decoder graphs | output projection | search |\n"
                    + "|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Config config : configs) {
                Measurement[][] runs = new Measurement[2][reps];
                for (int m = 0; m < 2; m++) {
                    measure(models[m], sources[m], config);   // warm-up
                }
                for (int r = 0; r < reps; r++) {
                    Measurement[] pair = measureInterleaved(models, sources, config, r % 2 == 0);
                    runs[0][r] = pair[0];
                    runs[1][r] = pair[1];
                }
                Measurement md = median(runs[0]);
                Measurement mk = median(runs[1]);
                int n = pairs.size();
                double bleuD = bleu(d, md.outputs(), references);
                double bleuK = bleu(k, mk.outputs(), references);
                report.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.2f | %.2f× | %s | %.1f | %.1f | %.1f, %.1f | %.2f | %.2f |%n",
                        vocabulary(config), config.batch(), config.beam(), n / md.seconds(), n / mk.seconds(), md.seconds() / mk.seconds(),
                        ratioRange(runs), md.targetTokens() / md.seconds(), mk.targetTokens() / mk.seconds(),
                        (double) md.targetTokens() / n, (double) mk.targetTokens() / n, bleuD, bleuK));
                splits.append(split("dense", config, md.split())).append(split("K-matrix", config, mk.split()));
                outcomes.add(new Outcome(config, md.seconds() / mk.seconds(), bleuD, bleuK));
                for (int m = 0; m < 2 && lengthRule == null; m++) {
                    Measurement mm = m == 0 ? md : mk;
                    int capped = outputsAtTheirLimit(sources[m], mm.outputs(), config.options(models[m]));
                    if (2 * capped > n) {
                        lengthNotes.add(String.format(Locale.ROOT, "%s, %s, batch %d, beam %d: %d of %d outputs ran to the length limit",
                                m == 0 ? "dense" : "K-matrix", vocabulary(config), config.batch(), config.beam(), capped, n));
                    }
                }
                if (config.batch() == 1 && !config.shortlist()) {
                    javaSpeeds.put(TorchReference.Result.key("dense", config.beam()), md.targetTokens() / md.seconds());
                    javaSpeeds.put(TorchReference.Result.key("K-matrix", config.beam()), mk.targetTokens() / mk.seconds());
                }
                System.err.printf(Locale.ROOT, "%s, batch %d beam %d: dense %.2f sent/s, K-matrix %.2f sent/s%n",
                        vocabulary(config), config.batch(), config.beam(), n / md.seconds(), n / mk.seconds());
            }
            report.append(splits);
            if (!lengthNotes.isEmpty()) {
                report.append("\nMost outputs ran to the length limit (a bundle with random weights?), so the models decoded")
                        .append(" more steps per sentence than trained ones would; `--lengths reference` decodes about as")
                        .append(" many as the references have:\n\n");
                lengthNotes.forEach(note -> report.append("- ").append(note).append('\n'));
            }
        }
        Map<String, Double> javaOverTorch = Map.of();
        if (torch) {
            Map<String, Path> bundles = new LinkedHashMap<>();
            bundles.put("dense", dense);
            bundles.put("K-matrix", kmatrix);
            TorchReference.Result reference = TorchReference.run(bundles, data, pairs.size(), lengthRule);
            javaOverTorch = javaOverTorch(javaSpeeds, reference);
            report.append(javaVersusTorch(javaSpeeds, reference, javaOverTorch));
            if (paths.encoder() != Precision.FLOAT32 || paths.decoder() != Precision.FLOAT32) {
                report.append("\n(The Java runs used int8 weights where PyTorch used float32: not the same arithmetic.)\n");
            }
            report.append(reference.lines());
        }
        report.append(targets(kmatrixVariant, outcomes, javaOverTorch));
        Files.createDirectories(out);
        Files.writeString(out.resolve("decode-bench.md"), report);
        System.out.println(report);
        System.out.println("Written: " + out.resolve("decode-bench.md"));
    }

    /**
     * The lowest and highest K-matrix/dense ratio of single repetitions: each repetition times
     * both models on the same batches back to back, so its ratio is a paired figure, and the
     * range shows how far the shared machine moved it.
     */
    static String ratioRange(Measurement[][] runs) {
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (int r = 0; r < runs[0].length; r++) {
            double ratio = runs[0][r].seconds() / runs[1][r].seconds();
            low = Math.min(low, ratio);
            high = Math.max(high, ratio);
        }
        return String.format(Locale.ROOT, "%.2f–%.2f×", low, high);
    }

    /** Java tokens/s over PyTorch's, per {@link TorchReference.Result#key}, where both were measured. */
    private static Map<String, Double> javaOverTorch(Map<String, Double> java, TorchReference.Result torch) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (String model : new String[] {"dense", "K-matrix"}) {
            for (int beam : new int[] {1, 4}) {
                String key = TorchReference.Result.key(model, beam);
                Double j = java.get(key);
                Double t = torch.tokensPerSecond().get(key);
                if (j != null && t != null) {
                    ratios.put(key, j / t);
                }
            }
        }
        return ratios;
    }

    /**
     * The targets this run measured, each with its figure and whether it is met: K-matrix / dense
     * at batch 1, beam 4 (per vocabulary, with both models' BLEU on these sentences beside it), and
     * Java / PyTorch eager (with {@code --torch}). Empty when the run measured none of them. The
     * ratio's target is the paper-setting model's ({@code kmatrix}); a run of another K-matrix
     * variant says which it measured.
     */
    static String targets(String kmatrixVariant, List<Outcome> outcomes, Map<String, Double> javaOverTorch) {
        StringBuilder s = new StringBuilder();
        String model = "kmatrix".equals(kmatrixVariant) ? "K-matrix" : "K-matrix (variant " + kmatrixVariant + ")";
        for (Outcome o : outcomes) {
            if (o.config().batch() == 1 && o.config().beam() == 4) {
                s.append(String.format(Locale.ROOT, "- " + model + " ≥ %.1f× the dense model, batch 1, beam 4, %s vocabulary: %.2f× "
                                + "(BLEU dense %.2f, K-matrix %.2f): %s%n", TARGET_KMATRIX_OVER_DENSE,
                        o.config().shortlist() ? "shortlisted" : "full", o.ratio(), o.bleuDense(), o.bleuKMatrix(),
                        verdict(o.ratio(), TARGET_KMATRIX_OVER_DENSE)));
            }
        }
        javaOverTorch.forEach((key, ratio) -> s.append(String.format(Locale.ROOT,
                "- Java engine ≥ %.0f× PyTorch eager, %s: %.2f×: %s%n", TARGET_JAVA_OVER_TORCH, key, ratio,
                verdict(ratio, TARGET_JAVA_OVER_TORCH))));
        return s.isEmpty() ? "" : "\nTargets:\n\n" + s;
    }

    private static String verdict(double measured, double target) {
        return measured >= target ? "met" : "NOT met";
    }

    /** Java against PyTorch eager, same bundles and sentences, batch 1, full vocabulary. */
    private static String javaVersusTorch(Map<String, Double> java, TorchReference.Result torch, Map<String, Double> ratios) {
        StringBuilder s = new StringBuilder("\nJava engine vs PyTorch eager (batch 1, full vocabulary, target tokens/s):\n\n"
                + "| model | beam | Java | PyTorch | Java / PyTorch |\n|---|---:|---:|---:|---:|\n");
        for (String model : new String[] {"dense", "K-matrix"}) {
            for (int beam : new int[] {1, 4}) {
                String key = TorchReference.Result.key(model, beam);
                Double j = java.get(key);
                Double t = torch.tokensPerSecond().get(key);
                s.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", model, beam,
                        j == null ? "–" : "%.1f".formatted(j), t == null ? "–" : "%.1f".formatted(t),
                        ratios.containsKey(key) ? "%.2f×".formatted(ratios.get(key)) : "–"));
            }
        }
        return s.toString();
    }

    private static String vocabulary(Config config) {
        return config.shortlist() ? "shortlist" : "full";
    }

    private static List<String[]> readPairs(Path data, int limit) throws IOException {
        List<String[]> pairs = new ArrayList<>();
        for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
            String[] c = line.split("\t", -1);
            if (c.length >= 2 && !c[0].isBlank()) {
                pairs.add(new String[] {c[0], c[1]});
            }
            if (pairs.size() == limit) {
                break;
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no sentence pairs in " + data);
        }
        return pairs;
    }

    /** How many outputs are as long as the options allow for their source (eos counted). */
    static int outputsAtTheirLimit(int[][] sources, int[][] outputs, SearchOptions options) {
        int capped = 0;
        for (int i = 0; i < sources.length; i++) {
            if (outputs[i].length + 1 >= options.maxOutputLength(sources[i].length)) {
                capped++;
            }
        }
        return capped;
    }

    private static Measurement measure(Translator t, int[][] sources, Config config) {
        SearchOptions options = config.options(t);
        t.timings().reset();
        long start = System.nanoTime();
        int[][] outputs = t.translateIds(sources, options, config.batch());
        double seconds = (System.nanoTime() - start) / 1e9;
        long tokens = Arrays.stream(outputs).mapToLong(o -> o.length + 1).sum();   // + eos
        return new Measurement(seconds, tokens, t.timings().snapshot(), outputs);
    }

    /**
     * One repetition of both models over the same sentences, interleaved: batch after batch, each
     * model decodes that batch, the order alternating from batch to batch (and from repetition to
     * repetition). A slow spell of the machine then hits both models alike, so the ratio holds
     * where whole-pass timings on this shared machine drift by ±15% between passes.
     */
    static Measurement[] measureInterleaved(Translator[] models, int[][][] sources, Config config,
                                           boolean denseFirst) {
        int n = sources[0].length;
        double[] seconds = new double[2];
        int[][][] outputs = new int[2][n][];
        for (Translator t : models) {
            t.timings().reset();
        }
        // Batches of similar length, as translateIds would form them from the whole list.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(sources[0][b].length, sources[0][a].length));
        for (int start = 0, chunk = 0; start < n; start += config.batch(), chunk++) {
            int end = Math.min(n, start + config.batch());
            for (int step = 0; step < 2; step++) {
                int m = (chunk % 2 == 0) == denseFirst ? step : 1 - step;
                Translator t = models[m];
                SearchOptions options = config.options(t);
                int[][] part = new int[end - start][];
                for (int i = start; i < end; i++) {
                    part[i - start] = sources[m][order[i]];
                }
                long begin = System.nanoTime();
                int[][] out = t.translateIds(part, options, config.batch());
                seconds[m] += (System.nanoTime() - begin) / 1e9;
                for (int i = start; i < end; i++) {
                    outputs[m][order[i]] = out[i - start];
                }
            }
        }
        Measurement[] pair = new Measurement[2];
        for (int m = 0; m < 2; m++) {
            long tokens = Arrays.stream(outputs[m]).mapToLong(o -> o.length + 1).sum();   // + eos
            pair[m] = new Measurement(seconds[m], tokens, models[m].timings().snapshot(), outputs[m]);
        }
        return pair;
    }

    private static Measurement median(Measurement[] runs) {
        Measurement[] sorted = runs.clone();
        Arrays.sort(sorted, (a, b) -> Double.compare(a.seconds(), b.seconds()));
        return sorted[sorted.length / 2];
    }

    private static double bleu(Translator t, int[][] outputs, List<String> references) {
        List<String> hypotheses = Arrays.stream(outputs).map(o -> t.tokenizer().decode(o)).toList();
        return CorpusBleu.score(hypotheses, List.of(references)).score();
    }

    private static String header(Translator d, Translator k, int sentences, Path data, int reps,
                                 EnginePaths paths, LengthRule lengthRule) {
        return String.format(Locale.ROOT, """
                ## Decode benchmark

                Dense: %s (%s); K-matrix: %s (%s); %d sentences of %s; %d repetitions per
                configuration, the two models interleaved batch by batch in alternating order; medians. Machine: %s.
                One engine thread; K-matrix kernel: %s;
                encoder-decoder attention: %s; full-vocabulary output projection: %s; encoder: %s; dense decoder linears: %s; output length limit: %s.
                sent/s and tok/s count output sentences and output tokens (eos included) per second of
                decoding (source ids to output ids). ratio = K-matrix speed / dense speed (of the medians);
                per repetition: the lowest and highest ratio of one repetition's back-to-back pair.

                """, d.bundle().manifest().name(), d.bundle().directory(), k.bundle().manifest().name(), k.bundle().directory(),
                sentences, data, reps, Machine.describe(), KMatrixKernels.preferred().description(),
                paths.attention().name().toLowerCase(Locale.ROOT), paths.output().name().toLowerCase(Locale.ROOT),
                paths.encoder().name().toLowerCase(Locale.ROOT), paths.decoder().name().toLowerCase(Locale.ROOT), lengthRule == null ? "the bundles' (" + limitOf(d) + ")" : lengthRule + ", fitted to the references");
    }

    private static String limitOf(Translator t) {
        SearchOptions o = t.defaultOptions();
        return String.format(Locale.ROOT, "⌊%s · source tokens⌋ + %d", o.maxLengthA(), o.maxLengthB());
    }

    private static <E extends Enum<E>> E option(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println(USAGE);
            System.exit(2);
            return null;
        }
    }

    private static String split(String model, Config config, EngineTimings.Snapshot s) {
        double total = Math.max(1, s.totalNanos());
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% |%n", model,
                vocabulary(config), config.batch(), config.beam(), 100 * s.encoderNanos() / total, 100 * s.kmatrixNanos() / total,
                100 * s.decoderGraphsNanos() / total, 100 * s.outputProjectionNanos() / total, 100 * s.searchNanos() / total);
    }
}
