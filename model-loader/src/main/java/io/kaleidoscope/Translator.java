package io.kaleidoscope;

import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.kmatrix.KMatrixKernel;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import io.kaleidoscope.model.Decoder;
import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.model.DenseDecoder;
import io.kaleidoscope.model.EncodedBatch;
import io.kaleidoscope.model.Encoder;
import io.kaleidoscope.model.EnginePaths;
import io.kaleidoscope.model.EngineTimings;
import io.kaleidoscope.model.KMatrixDecoder;
import io.kaleidoscope.model.ModelConfig;
import io.kaleidoscope.model.Shortlist;
import io.kaleidoscope.onnx.OnnxWeights;
import io.kaleidoscope.search.BeamSearch;
import io.kaleidoscope.search.GreedySearch;
import io.kaleidoscope.text.SentencePieceTokenizer;
import io.kaleidoscope.text.TextSegments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * German→English translation with one model bundle: tokenise, encode once per batch, decode
 * incrementally with greedy or beam search, detokenise. Dense bundles decode in ONNX Runtime;
 * K-matrix bundles run their K-matrix layers in the Java kernel.
 *
 * <p>Threading: <b>not thread-safe</b>. A translator belongs to one engine thread, which runs
 * every call (single-threaded by design, DESIGN.md §5). Other threads use
 * {@link ConcurrentTranslator}.
 */
public final class Translator implements AutoCloseable {
    /** Sentences decoded together at most; longer lists are split into batches of similar length. */
    public static final int DEFAULT_MAX_BATCH = 32;

    private final Bundle bundle;
    private final ModelConfig config;
    private final OnnxWeights onnxWeights;
    private final Encoder encoder;
    private final Decoder decoder;
    private final SentencePieceTokenizer tokenizer;
    /** The bundle's lexical shortlist, or null. */
    private final Shortlist shortlist;
    private final SearchOptions defaults;
    private final int maxBatch;
    private final EngineTimings timings = new EngineTimings();
    /** Set by close(): the native resources are gone, and touching them would crash the JVM. */
    private boolean closed;

    private Translator(Bundle bundle, KMatrixKernel kernel, int maxBatch, EnginePaths paths) {
        this.bundle = bundle;
        this.config = ModelConfig.of(bundle.manifest());
        // First, before any session is open that a failure here would leak.
        this.tokenizer = openTokenizer(bundle, config.eos());
        // What opens native resources, in order; a failure part-way closes what was opened.
        List<AutoCloseable> opened = new ArrayList<>(List.of(tokenizer::close));
        try {
            this.onnxWeights = new OnnxWeights(bundle.weights());
            opened.add(onnxWeights::close);
            this.encoder = new Encoder(bundle, onnxWeights, config, timings, paths.encoder(), kernel);
            opened.add(encoder::close);
            this.decoder = bundle.manifest().isKMatrix()
                    ? new KMatrixDecoder(bundle, onnxWeights, config, kernel, timings, paths)
                    : new DenseDecoder(bundle, onnxWeights, config, timings, paths);
            opened.add(decoder::close);
            this.shortlist = Shortlist.load(bundle);
        } catch (RuntimeException e) {
            for (AutoCloseable part : opened.reversed()) {
                try {
                    part.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        var s = bundle.manifest().search();
        this.defaults = s == null ? new SearchOptions(4, 1.0, 1.5, 10) : new SearchOptions(s.beam(), s.lenPenalty(), s.maxLenA(), s.maxLenB());
        this.maxBatch = maxBatch;
    }

    /**
     * The bundle's tokenizer. Bundle.open has checked the file's structure and piece count; what
     * the native library still finds wrong with it is a BundleException naming the file, not
     * DJL's EngineException.
     */
    private static SentencePieceTokenizer openTokenizer(Bundle bundle, int eos) {
        String file = bundle.manifest().tokenizer();
        try {
            return new SentencePieceTokenizer(bundle.file(file), eos);
        } catch (RuntimeException e) {
            throw new BundleException(bundle.directory(), file, "SentencePiece cannot load it: " + e.getMessage(), e);
        }
    }

    /** Loads and verifies the bundle in {@code directory} (refuses a damaged one with a BundleException). */
    public static Translator load(Path directory) {
        return load(directory, KMatrixKernels.preferred(), DEFAULT_MAX_BATCH);
    }

    /**
     * Loads with a chosen K-matrix kernel and batch limit (tests, benchmarks); the attention and
     * output paths come from the system properties {@code kaleido.attention} and
     * {@code kaleido.output} (default auto), the precision of the encoder and of the decoder's ONNX
     * Runtime products from {@code kaleido.encoder} and {@code kaleido.decoder} (default float32).
     */
    public static Translator load(Path directory, KMatrixKernel kernel, int maxBatch) {
        return load(directory, kernel, maxBatch, EnginePaths.fromSystemProperties());
    }

    /** Loads with a chosen kernel, batch limit and attention and output paths (docs/engine.md). */
    public static Translator load(Path directory, KMatrixKernel kernel, int maxBatch, EnginePaths paths) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        return new Translator(Bundle.open(directory), kernel, maxBatch, paths);
    }

    /**
     * Translates texts: each is split into sentences and lines, all sentences of all texts are
     * decoded in batches, and each text is rejoined with its original whitespace.
     */
    public List<String> translate(List<String> texts, SearchOptions options) {
        return translateWithAlternatives(texts, options, 0).stream().map(Translation::text).toList();
    }

    /**
     * A text's translation and its alternatives: other translations the beam search found, best
     * first, none equal to the translation or to each other (so there may be fewer than asked for).
     */
    public record Translation(String text, List<String> alternatives) {}

    /**
     * As {@link #translate}, with up to {@code alternatives} alternative translations of each text.
     * The a-th alternative of a text takes each of its sentences' (a+1)-th best hypothesis (its
     * last one where a sentence has fewer), rejoined like the translation; one beam search gives
     * them all, so the beam must be wider than {@code alternatives}. With 0 this is
     * {@link #translate}: the same search and the same translations.
     */
    public List<Translation> translateWithAlternatives(List<String> texts, SearchOptions options, int alternatives) {
        ensureOpen();
        if (alternatives < 0 || (alternatives > 0 && options.beam() <= alternatives)) {
            throw new IllegalArgumentException("%d alternatives need a beam of at least %d, got %d"
                    .formatted(alternatives, alternatives + 1, options.beam()));
        }
        List<List<TextSegments.Segment>> segmented = new ArrayList<>();
        List<String> sentences = new ArrayList<>();
        for (String text : texts) {
            List<TextSegments.Segment> segments = TextSegments.split(text);
            segmented.add(segments);
            for (TextSegments.Segment s : segments) {
                if (s.sentence()) {
                    sentences.add(s.text());
                }
            }
        }
        int[][][] ranked = decodeRanked(tokenize(sentences), options, maxBatch, alternatives + 1);
        List<Translation> result = new ArrayList<>(texts.size());
        int next = 0;
        for (List<TextSegments.Segment> segments : segmented) {
            int count = (int) segments.stream().filter(TextSegments.Segment::sentence).count();
            List<List<String>> mine = new ArrayList<>(count);
            for (int j = next; j < next + count; j++) {
                mine.add(Arrays.stream(ranked[j]).map(this::detokenize).toList());
            }
            next += count;
            String text = TextSegments.join(segments, rank(mine, 0));
            java.util.LinkedHashSet<String> others = new java.util.LinkedHashSet<>();
            for (int a = 1; a <= alternatives; a++) {
                String other = TextSegments.join(segments, rank(mine, a));
                if (!other.equals(text)) {
                    others.add(other);
                }
            }
            result.add(new Translation(text, List.copyOf(others)));
        }
        return result;
    }

    /** Each sentence's a-th best translation, or its last where it has fewer. */
    private static List<String> rank(List<List<String>> sentences, int a) {
        return sentences.stream().map(options -> options.get(Math.min(a, options.size() - 1))).toList();
    }

    /** Translates sentences one to one (no splitting), batched. */
    public List<String> translateSentences(List<String> sentences, SearchOptions options) {
        ensureOpen();
        int[][] outputs = translateIds(tokenize(sentences), options);
        List<String> texts = new ArrayList<>(outputs.length);
        for (int[] ids : outputs) {
            texts.add(detokenize(ids));
        }
        return texts;
    }

    private int[][] tokenize(List<String> sentences) {
        int[][] sources = new int[sentences.size()][];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = tokenizer.sourceIds(sentences.get(i));
        }
        return sources;
    }

    private String detokenize(int[] ids) {
        return TextSegments.oneLine(tokenizer.decode(ids));
    }

    /**
     * Output ids (without bos/eos) for source ids (each ending in eos). Sentences are sorted by
     * length and decoded in batches of at most maxBatch, so a batch pads little.
     */
    public int[][] translateIds(int[][] sources, SearchOptions options) {
        return translateIds(sources, options, maxBatch);
    }

    /** As {@link #translateIds(int[][], SearchOptions)} with batches of at most {@code batchLimit}. */
    public int[][] translateIds(int[][] sources, SearchOptions options, int batchLimit) {
        int[][][] ranked = decodeRanked(sources, options, batchLimit, 1);
        int[][] outputs = new int[ranked.length][];
        for (int i = 0; i < ranked.length; i++) {
            outputs[i] = ranked[i][0];
        }
        return outputs;
    }

    /**
     * Each source's best {@code keep} outputs, best first (at least one; greedy search gives one):
     * sentences sorted by length and decoded in batches of at most {@code batchLimit}.
     */
    private int[][][] decodeRanked(int[][] sources, SearchOptions options, int batchLimit, int keep) {
        ensureOpen();
        if (batchLimit < 1) {
            throw new IllegalArgumentException("batch limit must be >= 1, got " + batchLimit);
        }
        checkSources(sources);
        Integer[] order = new Integer[sources.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> sources[i].length));
        int[][][] outputs = new int[sources.length][][];
        for (int start = 0; start < order.length; start += batchLimit) {
            int end = Math.min(order.length, start + batchLimit);
            int[][] batch = new int[end - start][];
            for (int i = start; i < end; i++) {
                batch[i - start] = sources[order[i]];
            }
            // Each batch's direct memory (tensors, states) is freed as soon as it is decoded.
            int[][][] result = io.kaleidoscope.onnx.DirectBuffers.scoped(() -> decodeBatch(batch, options, keep));
            for (int i = start; i < end; i++) {
                outputs[order[i]] = result[i - start];
            }
        }
        return outputs;
    }

    /**
     * Longest source decoded, in tokens (eos included): {@link #translate} cuts sentences far
     * shorter ({@link TextSegments#MAX_SENTENCE_CHARS}); callers of the id-level methods get a
     * clear refusal instead of an encoder whose memory grows with the square of the length.
     */
    public static final int MAX_SOURCE_TOKENS = 1024;

    /** Each source: 1 to MAX_SOURCE_TOKENS ids of the vocabulary, the last one eos. */
    private void checkSources(int[][] sources) {
        int vocab = config.vocabSize();
        for (int i = 0; i < sources.length; i++) {
            int[] ids = sources[i];
            if (ids == null || ids.length == 0 || ids[ids.length - 1] != config.eos()) {
                throw new IllegalArgumentException("source " + i + " must end with eos (" + config.eos() + ")");
            }
            if (ids.length > MAX_SOURCE_TOKENS) {
                throw new IllegalArgumentException("source %d has %d tokens, more than %d".formatted(i, ids.length, MAX_SOURCE_TOKENS));
            }
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("source %d holds id %d, outside the vocabulary [0, %d)".formatted(i, id, vocab));
                }
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this translator is closed");
        }
    }

    private int[][][] decodeBatch(int[][] sources, SearchOptions options, int keep) {
        int[] maxLengths = new int[sources.length];
        for (int i = 0; i < sources.length; i++) {
            maxLengths[i] = options.maxOutputLength(sources[i].length);
        }
        EncodedBatch encoded = encoder.encode(sources);
        int[] vocabulary = options.shortlist() && shortlist != null ? shortlist.candidates(sources) : null;
        // One row per sentence: a beam search expands the state to the beam after its first step.
        try (DecoderState state = decoder.newState(encoded, vocabulary)) {
            EngineTimings.Snapshot before = timings.snapshot();
            long start = System.nanoTime();
            int[][][] out = new int[sources.length][][];
            if (options.beam() == 1) {
                int[][] greedy = GreedySearch.run(decoder, state, config, maxLengths);
                for (int i = 0; i < greedy.length; i++) {
                    out[i] = new int[][] {greedy[i]};
                }
            } else {
                BeamSearch.Hypothesis[][] ranked = BeamSearch.runRanked(decoder, state, config, maxLengths, options.beam(), options.lengthPenalty());
                for (int i = 0; i < ranked.length; i++) {
                    int n = Math.max(1, Math.min(keep, ranked[i].length));
                    out[i] = new int[n][];
                    for (int h = 0; h < n; h++) {
                        out[i][h] = h < ranked[i].length ? ranked[i][h].ids() : new int[0];
                    }
                }
            }
            // Search time: the loop's wall time minus the decoder steps inside it.
            EngineTimings.Snapshot after = timings.snapshot();
            long inSteps = (after.kmatrixNanos() - before.kmatrixNanos()) + (after.decoderGraphsNanos() - before.decoderGraphsNanos())
                    + (after.outputProjectionNanos() - before.outputProjectionNanos());
            timings.addSearch(System.nanoTime() - start - inSteps);
            timings.addTokens(Arrays.stream(sources).mapToLong(ids -> ids.length).sum(), Arrays.stream(out).mapToLong(ids -> ids[0].length).sum());
            return out;
        }
    }

    /** Accumulated time split of this translator's work (engine thread only). */
    public EngineTimings timings() {
        return timings;
    }

    /** The bundle's default search settings (its manifest's "search"). */
    public SearchOptions defaultOptions() {
        return defaults;
    }

    public ModelConfig config() {
        return config;
    }

    public Bundle bundle() {
        return bundle;
    }

    public Encoder encoder() {
        return encoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    /** The bundle's lexical shortlist, or null when it has none (then the option changes nothing). */
    public Shortlist shortlist() {
        return shortlist;
    }

    public SentencePieceTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        decoder.close();
        encoder.close();
        onnxWeights.close();
        tokenizer.close();
    }
}
