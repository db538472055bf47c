package io.kaleidoscope.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.kaleidoscope.onnx.DirectBuffers;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The decoder's state for one search over R rows (sentences × beam), held in direct buffers
 * with ONNX Runtime tensors over them, all created once per search: nothing is allocated per
 * step (docs/bundle-format.md §6).
 *
 * <ul>
 *   <li>{@code tokens} (R) and {@code step} (1): written by the search before each step;</li>
 *   <li>the encoder outputs per sentence (bias, keys and values per layer), which the rows of a
 *       sentence share: fixed for the search;</li>
 *   <li>per layer, the last K_l − 1 conv inputs in a ring, (R, H, K_l − 1, d/H), slot s holding
 *       the input of the latest position p ≡ s (mod K_l − 1), and the ring's order for the coming
 *       step (K_l − 1): the graphs read the ring in place and the decoder writes the step's input
 *       into its slot afterwards ({@link #writeConvInput}); a second ring per layer takes a beam
 *       search's reordered rows;</li>
 *   <li>{@code logProbs} (R, V): the step's result; with a shortlist ({@code vocabulary}, the
 *       sorted candidate ids) only the candidates' entries are written, the rest stay −∞.</li>
 * </ul>
 * Owned by the engine thread; {@link #close} releases the tensors (the buffers go with the
 * search's arena, {@link DirectBuffers#scoped}, or to GC outside one). Compaction
 * ({@link #compact}) hands the buffers on to the state of the rows kept.
 */
public final class DecoderState implements AutoCloseable {
    final ModelConfig config;
    final EncodedBatch encoded;
    final int rows;
    /** The candidate token ids of a shortlisted search, sorted; null = the whole vocabulary. */
    final int[] vocabulary;
    final LongBuffer tokens;
    final LongBuffer step;
    final FloatBuffer logProbs;
    final OnnxTensor tokensTensor;
    final OnnxTensor stepTensor;
    final OnnxTensor logProbsTensor;
    final OnnxTensor encBias;
    final OnnxTensor[] encKeys;
    final OnnxTensor[] encValues;
    /** The absorbed attention's tensors when this search takes that path, else null. */
    AbsorbedAttention.Tensors absorbed;
    /** Whether this search's full-vocabulary projection is the float16 Java kernel. */
    final boolean float16Output;
    /** Layer l's conv ring, (R, H, K−1, d/H): one buffer, reordered in place ({@link #reorder}). */
    final FloatBuffer[] convRings;
    final OnnxTensor[] convRingTensors;
    /** Per layer: the window index of each ring slot's input at the coming step (conv_order). */
    private final LongBuffer[] convOrders;
    final OnnxTensor[] convOrderTensors;
    /**
     * {@link #reorder}'s room for the ring rows of one sentence that are overwritten while another
     * row still has to read them (null when a sentence has one row: such a state is never reordered).
     */
    private final FloatBuffer reorderScratch;
    /** Per row of the sentence being reordered: its saved copy's index in the scratch, or −1. */
    private final int[] savedAt;
    /** The step index of the coming (or running) step: the ring slot its conv inputs go to. */
    private int position;
    /** The buffers above, kept together so that a compaction can hand them on. */
    private final Buffers buffers;
    private final List<OnnxTensor> owned = new ArrayList<>();

    /**
     * A fresh state, its buffers allocated for the batch's rows.
     *
     * @param absorbed      the absorbed attention's tensors for this search (owned from now on), or null
     * @param float16Output whether the decoder projects onto the full vocabulary with the float16 kernel
     */
    DecoderState(ModelConfig config, EncodedBatch encoded, int[] vocabulary, AbsorbedAttention.Tensors absorbed,
                 boolean float16Output) {
        this(config, encoded, vocabulary, absorbed, float16Output, Buffers.allocate(config, encoded.rows(), encoded.group()));
    }

    /**
     * The per-row buffers of a state: allocated for a fresh one; for a compacted one, the first
     * rows of its predecessor's (which the compaction moved there).
     */
    private record Buffers(LongBuffer tokens, LongBuffer step, FloatBuffer logProbs, FloatBuffer[] convRings,
                           LongBuffer[] convOrders, FloatBuffer reorderScratch) {
        static Buffers allocate(ModelConfig config, int rows, int group) {
            int layers = config.decoderLayers();
            FloatBuffer[] rings = new FloatBuffer[layers];
            LongBuffer[] orders = new LongBuffer[layers];
            int widestRow = 0;
            for (int l = 0; l < layers; l++) {
                rings[l] = DirectBuffers.floats((long) rows * config.convStateFloats(l));
                orders[l] = DirectBuffers.longs(config.decoderKernels()[l] - 1);
                widestRow = Math.max(widestRow, config.convStateFloats(l));
            }
            return new Buffers(DirectBuffers.longs(rows), DirectBuffers.longs(1),
                    DirectBuffers.floats((long) rows * config.vocabSize()), rings, orders,
                    group == 1 ? null : FloatBuffer.allocate(group * widestRow));
        }

        /** Views of the first {@code rows} rows of these buffers. */
        Buffers firstRows(ModelConfig config, int rows) {
            FloatBuffer[] rings = new FloatBuffer[convRings.length];
            for (int l = 0; l < rings.length; l++) {
                rings[l] = convRings[l].slice(0, rows * config.convStateFloats(l));
            }
            return new Buffers(tokens.slice(0, rows), step, logProbs.slice(0, rows * config.vocabSize()), rings,
                    convOrders, reorderScratch);
        }
    }

    /** Binds tensors over {@code buffers}, which hold exactly the batch's rows. */
    private DecoderState(ModelConfig config, EncodedBatch encoded, int[] vocabulary, AbsorbedAttention.Tensors absorbed,
                         boolean float16Output, Buffers buffers) {
        this.config = config;
        this.encoded = encoded;
        this.vocabulary = vocabulary;
        this.absorbed = absorbed;
        this.float16Output = float16Output;
        this.rows = encoded.rows();
        this.buffers = buffers;
        int layers = config.decoderLayers();
        tokens = buffers.tokens();
        step = buffers.step();
        logProbs = buffers.logProbs();
        convRings = buffers.convRings();
        convOrders = buffers.convOrders();
        reorderScratch = buffers.reorderScratch();
        savedAt = new int[encoded.group()];
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            tokensTensor = own(OnnxTensor.createTensor(env, tokens, new long[] {rows}));
            stepTensor = own(OnnxTensor.createTensor(env, step, new long[] {1}));
            logProbsTensor = own(OnnxTensor.createTensor(env, logProbs, new long[] {rows, config.vocabSize()}));
            int s = encoded.sourceLength();
            int sentences = encoded.sentences();   // the encoder's tensors are per sentence (bundle format §6)
            encBias = own(OnnxTensor.createTensor(env, encoded.encBias(), new long[] {sentences, s}));
            encKeys = new OnnxTensor[layers];
            encValues = new OnnxTensor[layers];
            convRingTensors = new OnnxTensor[layers];
            convOrderTensors = new OnnxTensor[layers];
            long[] kvShape = {sentences, config.heads(), s, config.headDim()};
            for (int l = 0; l < layers; l++) {
                encKeys[l] = own(OnnxTensor.createTensor(env, encoded.encKeys()[l], kvShape));
                encValues[l] = own(OnnxTensor.createTensor(env, encoded.encValues()[l], kvShape));
                int slots = config.decoderKernels()[l] - 1;
                convRingTensors[l] = own(OnnxTensor.createTensor(env, convRings[l],
                        new long[] {rows, config.heads(), slots, config.headDim()}));
                convOrderTensors[l] = own(OnnxTensor.createTensor(env, convOrders[l], new long[] {slots}));
            }
        } catch (OrtException e) {
            close();
            throw new IllegalStateException("cannot create decoder state tensors", e);
        }
    }

    private OnnxTensor own(OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    public int rows() {
        return rows;
    }

    /** The shortlist's candidate ids (sorted), or null when every token is scored. */
    public int[] vocabulary() {
        return vocabulary;
    }

    /** Sets the token fed to each row and the step index for the next {@code Decoder.step}. */
    public void setInputs(int[] rowTokens, int stepIndex) {
        for (int r = 0; r < rows; r++) {
            tokens.put(r, rowTokens[r]);
        }
        step.put(0, stepIndex);
        position = stepIndex;
        for (int l = 0; l < convOrders.length; l++) {
            int slots = convOrders[l].capacity();
            for (int s = 0; s < slots; s++) {
                convOrders[l].put(s, Math.floorMod(s - stepIndex, slots));
            }
        }
    }

    /** Log-probability of token v for row r after the last step. */
    public float logProb(int row, int token) {
        return logProbs.get(row * config.vocabSize() + token);
    }

    /** The step's log-probabilities, (R, V) row-major; read-only for callers. */
    public FloatBuffer logProbs() {
        return logProbs;
    }

    /**
     * After layer l's conv has run: this step's conv inputs {@code h}, (R, d), into the ring slot
     * of the step's position, which held the input that has just left the window.
     */
    void writeConvInput(int layer, FloatBuffer h) {
        FloatBuffer ring = convRings[layer];
        int slots = convOrders[layer].capacity();
        int slot = position % slots;
        int heads = config.heads();
        int headDim = config.headDim();
        int d = config.dModel();
        for (int r = 0; r < rows; r++) {
            for (int head = 0; head < heads; head++) {
                ring.put(((r * heads + head) * slots + slot) * headDim, h, r * d + head * headDim, headDim);
            }
        }
    }

    /**
     * Beam search: row r continues the hypothesis of row {@code parents[r]}, a row of the same
     * sentence. The conv rings are reordered in place, one sentence's rows at a time: rows that
     * keep their own hypothesis are not touched (about half of them, measured over a batch-32
     * beam-4 search), and a row that is overwritten while another still reads it is saved first.
     * The encoder tensors are not moved: they are held once per sentence.
     */
    public void reorder(int[] parents) {
        int group = encoded.group();
        for (int first = 0; first < rows; first += group) {
            for (int r = first; r < first + group; r++) {
                if (parents[r] < first || parents[r] >= first + group) {
                    throw new IllegalArgumentException("row " + r + "'s parent " + parents[r]
                            + " is not a row of the same sentence (rows " + first + "…" + (first + group - 1) + ")");
                }
            }
        }
        for (int l = 0; l < convRings.length; l++) {
            for (int first = 0; first < rows; first += group) {
                reorderSentence(l, first, group, parents);
            }
        }
    }

    /** Layer l's ring rows first … first + group − 1 (one sentence) after {@link #reorder}. */
    private void reorderSentence(int layer, int first, int group, int[] parents) {
        FloatBuffer ring = convRings[layer];
        int saved = 0;
        Arrays.fill(savedAt, -1);
        for (int r = first; r < first + group; r++) {
            int parent = parents[r];
            boolean parentOverwritten = parents[parent] != parent;
            if (parent != r && parentOverwritten && savedAt[parent - first] < 0) {
                copyRingRow(layer, position, ring, parent, reorderScratch, saved);
                savedAt[parent - first] = saved++;
            }
        }
        for (int r = first; r < first + group; r++) {
            int parent = parents[r];
            if (parent == r) {
                continue;
            }
            int saveIndex = savedAt[parent - first];
            if (saveIndex >= 0) {
                copyRingRow(layer, position, reorderScratch, saveIndex, ring, r);
            } else {
                copyRingRow(layer, position, ring, parent, ring, r);
            }
        }
    }

    /**
     * Copies the conv rings of {@code from}'s rows {@code keep[r]} into this state's rows r (this
     * state was made for exactly those rows, by {@link #compact} or {@link #expand}; the step
     * index, and with it the ring slots, carries on).
     */
    private void copyConvRings(DecoderState from, int[] keep) {
        for (int l = 0; l < convRings.length; l++) {
            for (int r = 0; r < keep.length; r++) {
                copyRingRow(l, from.position, from.convRings[l], keep[r], convRings[l], r);
            }
        }
    }

    /**
     * Row {@code toRow} of layer l's ring (or scratch) {@code to} becomes row {@code fromRow} of
     * {@code from}, after the step at {@code lastStep}. Until the ring has wrapped around, only
     * slots 0 … lastStep hold inputs and the rest are zero in every ring of the search (and in a
     * compacted or expanded state's fresh ones), so only those are copied: for the long kernels
     * (30 slots) that skips most of the ring for the whole of a typical sentence.
     */
    private void copyRingRow(int layer, int lastStep, FloatBuffer from, int fromRow, FloatBuffer to, int toRow) {
        int slots = config.decoderKernels()[layer] - 1;
        int written = Math.min(lastStep + 1, slots);
        int headDim = config.headDim();
        int rowFloats = config.heads() * slots * headDim;
        if (written == slots) {
            to.put(toRow * rowFloats, from, fromRow * rowFloats, rowFloats);
            return;
        }
        for (int h = 0; h < config.heads(); h++) {
            int slot0 = h * slots * headDim;
            to.put(toRow * rowFloats + slot0, from, fromRow * rowFloats + slot0, written * headDim);
        }
    }

    /**
     * The state for rows {@code keep} of this one, made in place: new row r is old row keep[r],
     * whole beam groups, each staying where it is or coming from beyond the new end (the order
     * the searches' {@code Compaction} gives). The kept sentences' encoder tensors and the moved
     * rows' conv rings go to their new places in the same buffers, and the new state's tensors
     * view the first rows. Nothing is allocated but the tensors: a fresh state at batch 32 × beam 4
     * zeroed some 30 MB and copied every kept row, ~6 ms a compaction. On the absorbed path the kept
     * sentences' absorbed tensors are copied (at most {@link AbsorbedAttention#MAX_SENTENCES}
     * sentences). This state is closed, and neither it nor its {@link EncodedBatch} may be used again.
     *
     * @throws IllegalArgumentException when {@code keep} is not whole beam groups in such an order
     */
    DecoderState compact(int[] keep, boolean float16Output) {
        int group = encoded.group();
        if (keep.length == 0 || keep.length % group != 0) {
            throw new IllegalArgumentException("keep " + keep.length + " rows: not a positive number of beam groups of " + group);
        }
        int[] sentences = new int[keep.length / group];
        for (int b = 0; b < sentences.length; b++) {
            sentences[b] = keep[b * group] / group;
            for (int j = 0; j < group; j++) {
                if (keep[b * group + j] != sentences[b] * group + j) {
                    throw new IllegalArgumentException("keep must list whole beam groups of " + group + " rows: "
                            + Arrays.toString(keep));
                }
            }
        }
        EncodedBatch.requireInPlaceOrder(sentences, encoded.sentences(), "sentence");
        AbsorbedAttention.Tensors kept = absorbed == null ? null : absorbed.select(sentences);
        EncodedBatch keptEncoded = encoded.keepSentences(sentences, config);
        // Only rows from beyond the new end move, into rows that are dropped: none is overwritten before it is read.
        for (int l = 0; l < convRings.length; l++) {
            for (int r = 0; r < keep.length; r++) {
                if (keep[r] != r) {
                    copyRingRow(l, position, convRings[l], keep[r], convRings[l], r);
                }
            }
        }
        close();
        DecoderState next = new DecoderState(config, keptEncoded, vocabulary, kept, float16Output,
                buffers.firstRows(config, keep.length));
        next.position = position;
        return next;
    }

    /**
     * The state with each row of this one (one per sentence) repeated {@code beam} times, made by
     * {@code open} from the same encoder tensors and this state's absorbed tensors (handed over:
     * both are per sentence); the conv rings are copied and this state closed.
     */
    DecoderState expand(int beam, BiFunction<EncodedBatch, AbsorbedAttention.Tensors, DecoderState> open) {
        if (encoded.group() != 1) {
            throw new IllegalStateException("expand() needs one row per sentence, this state has " + encoded.group());
        }
        AbsorbedAttention.Tensors handedOver = absorbed;
        absorbed = null;
        DecoderState next = open.apply(encoded.repeatRows(beam), handedOver);
        int[] source = new int[rows * beam];
        for (int r = 0; r < source.length; r++) {
            source[r] = r / beam;
        }
        next.copyConvRings(this, source);
        close();
        return next;
    }

    /** Whether this search takes the absorbed attention path. */
    public boolean absorbedAttention() {
        return absorbed != null;
    }

    /** Whether this search's output projection is the float16 Java kernel (else ONNX Runtime or the shortlist). */
    public boolean float16Output() {
        return float16Output;
    }

    @Override
    public void close() {
        owned.forEach(OnnxTensor::close);
        owned.clear();
        if (absorbed != null) {
            absorbed.close();
        }
    }
}
