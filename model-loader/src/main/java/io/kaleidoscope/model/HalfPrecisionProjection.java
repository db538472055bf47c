package io.kaleidoscope.model;

import io.kaleidoscope.bundle.WeightStore;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The full-vocabulary output projection and log-softmax, computed in Java from a float16 copy of
 * the tied output embedding (docs/engine.md, "Output projection in float16").
 *
 * <p>Why: at a few rows per step the projection reads all V × d weights and does little with
 * each, so its time is the time to read them; float16 halves the bytes. Bundles store their
 * weights in float16, so the copy holds exactly the values ONNX Runtime multiplies in float32,
 * and widening them back is exact: only the order of the float32 sums differs. ONNX Runtime's
 * CPU provider has no float16-weight matmul for x86, hence this kernel.
 *
 * <p>Layout: the vocabulary in chunks of four vectors' width (4·L entries), each chunk stored as
 * d rows of 4·L weights ({@code [V/4L][d][4L]}), so the weights are read in one sequential
 * stream and a broadcast activation multiplies L vocabulary entries per fused multiply-add.
 * Four rows share each widened weight vector; the vocabulary is padded with zero rows to a
 * multiple of 4·L.
 */
public final class HalfPrecisionProjection {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    private static final VectorSpecies<Short> HALVES =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int L = FLOATS.length();
    /** Rows that share each widened weight vector. */
    private static final int ROW_GROUP = 4;
    /** Vocabulary entries per stored chunk: four vectors, one accumulator each per row. */
    private static final int CHUNK = 4 * L;
    /** 2^112: rescales a float16's exponent, moved into a float32's, to the float32 bias. */
    private static final float EXPONENT_REBIAS = 0x1p112f;
    /** Keeps the sign and the 15 magnitude bits of a sign-extended float16 shifted left by 13. */
    private static final int SIGN_AND_MAGNITUDE = 0x8FFFE000;

    private final short[] weights;
    private final int d;
    private final int vocab;
    private final int paddedVocab;
    /** Scratch, grown to the largest row count seen (at a search's start, never per step). */
    private float[] input = new float[0];
    private float[] logits = new float[0];

    private HalfPrecisionProjection(short[] weights, int d, int vocab, int paddedVocab) {
        this.weights = weights;
        this.d = d;
        this.vocab = vocab;
        this.paddedVocab = paddedVocab;
    }

    /**
     * The projection for an embedding of shape (V, d), or null when a value of it is not exactly
     * a float16 (the copy would change the model) or not finite.
     */
    public static HalfPrecisionProjection of(WeightStore.Tensor embedding) {
        int vocab = Math.toIntExact(embedding.shape()[0]);
        int d = Math.toIntExact(embedding.shape()[1]);
        int paddedVocab = Math.ceilDiv(vocab, CHUNK) * CHUNK;
        short[] chunked = new short[paddedVocab * d];
        FloatBuffer values = embedding.data();
        for (int v = 0; v < vocab; v++) {
            int chunk = (v / CHUNK) * d * CHUNK + v % CHUNK;
            for (int i = 0; i < d; i++) {
                float value = values.get(v * d + i);
                short half = Float.floatToFloat16(value);
                if (!Float.isFinite(value) || Float.float16ToFloat(half) != value) {
                    return null;
                }
                chunked[chunk + i * CHUNK] = half;
            }
        }
        return new HalfPrecisionProjection(chunked, d, vocab, paddedVocab);
    }

    /** Float32 value of L float16 weights, exact: f16 bits moved into place, exponent rebiased. */
    static FloatVector widen(short[] halves, int offset) {
        return widenUnscaled(halves, offset).mul(EXPONENT_REBIAS);
    }

    /**
     * The weights times 2^-112: the float16 bits moved into a float32's places without the
     * exponent rebias, which the kernels fold into the activations instead (a multiply fewer
     * per weight vector; both scalings are by powers of two, so the products are unchanged).
     */
    private static FloatVector widenUnscaled(short[] halves, int offset) {
        IntVector signExtended = (IntVector) ShortVector.fromArray(HALVES, halves, offset)
                .convertShape(VectorOperators.S2I, INTS, 0);
        return signExtended.lanewise(VectorOperators.LSHL, 13).and(SIGN_AND_MAGNITUDE).reinterpretAsFloats();
    }

    /** Passes of {@link #warmUp} over row counts 1 to 8. */
    private static final int WARM_UP_PASSES = 50;

    /**
     * Projects 1 to 8 rows of zeros, {@link #WARM_UP_PASSES} times, through a projection of its own
     * scratch over the same weights (so it may run beside the engine thread), until the JIT's C2
     * has compiled the kernel: before that a batch took up to 1.1 s here instead of milliseconds.
     */
    public void warmUp() {
        HalfPrecisionProjection own = new HalfPrecisionProjection(weights, d, vocab, paddedVocab);
        int rows = 8;
        FloatBuffer hidden = FloatBuffer.allocate(rows * d);
        FloatBuffer out = FloatBuffer.allocate(rows * vocab);
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
            for (int r = 1; r <= rows; r++) {
                own.logProbs(hidden, r, out);
            }
        }
    }

    /**
     * Log-probabilities of {@code rows} hidden states: reads rows × d floats of {@code hidden}
     * from index 0 and writes rows × V floats of {@code logProbs} from index 0.
     */
    public void logProbs(FloatBuffer hidden, int rows, FloatBuffer logProbs) {
        int groups = rows == 1 ? 0 : Math.ceilDiv(rows, ROW_GROUP);
        int paddedRows = Math.max(1, groups * ROW_GROUP);
        if (input.length < paddedRows * d) {
            input = new float[paddedRows * d];
            logits = new float[paddedRows * paddedVocab];
        }
        hidden.get(0, input, 0, rows * d);
        java.util.Arrays.fill(input, rows * d, paddedRows * d, 0f);
        int resultScale = scaleInput(rows * d);
        if (rows == 1) {
            projectOneRow();
        } else {
            projectRowGroups(groups);
        }
        for (int r = 0; r < rows; r++) {
            if (resultScale != 0) {
                for (int v = r * paddedVocab; v < r * paddedVocab + vocab; v++) {
                    logits[v] = Math.scalb(logits[v], resultScale);
                }
            }
            logSoftmax(r * paddedVocab);
            logProbs.put(r * vocab, logits, r * paddedVocab, vocab);
        }
    }

    /**
     * Multiplies the activations by 2^112 (the weights' missing exponent rebias), or by less when
     * that would overflow, and returns the power of two the logits must then be scaled by: 0
     * unless some |x| ≥ 2^15, far beyond a layer-normalised hidden state.
     */
    private int scaleInput(int count) {
        float maxAbs = 0;
        for (int i = 0; i < count; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(input[i]));
        }
        int resultScale = Math.max(0, Math.getExponent(maxAbs) - 14);
        int inputScale = 112 - resultScale;
        for (int i = 0; i < count; i++) {
            input[i] = Math.scalb(input[i], inputScale);
        }
        return resultScale;
    }

    /** One row: a chunk of four vectors' width of vocabulary per pass, four accumulators. */
    private void projectOneRow() {
        int chunkSize = d * CHUNK;
        for (int start = 0; start < paddedVocab; start += CHUNK) {
            int base = (start / CHUNK) * chunkSize;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int i = 0; i < d; i++) {
                FloatVector x = FloatVector.broadcast(FLOATS, input[i]);
                int at = base + i * CHUNK;
                a0 = widenUnscaled(weights, at).fma(x, a0);
                a1 = widenUnscaled(weights, at + L).fma(x, a1);
                a2 = widenUnscaled(weights, at + 2 * L).fma(x, a2);
                a3 = widenUnscaled(weights, at + 3 * L).fma(x, a3);
            }
            a0.intoArray(logits, start);
            a1.intoArray(logits, start + L);
            a2.intoArray(logits, start + 2 * L);
            a3.intoArray(logits, start + 3 * L);
        }
    }

    /**
     * Groups of four rows: per pass a whole chunk (four vectors' width of vocabulary) for four
     * rows, sixteen accumulators. Each widened weight vector is used by its four rows' fused
     * multiply-adds at once, so only one is live at a time and the accumulators, the four
     * broadcast activations and it fit the 32 vector registers. The chunks are the outer loop, so
     * the weights stream from memory once per step for all groups.
     */
    private void projectRowGroups(int groups) {
        int chunkSize = d * CHUNK;
        for (int start = 0; start < paddedVocab; start += CHUNK) {
            int base = (start / CHUNK) * chunkSize;
            for (int g = 0; g < groups; g++) {
                projectChunk(base, g * ROW_GROUP * d, g * ROW_GROUP * paddedVocab + start);
            }
        }
    }

    /** One chunk of vocabulary (weights from {@code at}) for the four rows from {@code x0}. */
    private void projectChunk(int at, int x0, int out) {
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector e0 = a0;
        FloatVector e1 = a0;
        FloatVector e2 = a0;
        FloatVector e3 = a0;
        int x1 = x0 + d;
        int x2 = x1 + d;
        int x3 = x2 + d;
        for (int i = 0; i < d; i++) {
            int w = at + i * CHUNK;
            FloatVector r0 = FloatVector.broadcast(FLOATS, input[x0 + i]);
            FloatVector r1 = FloatVector.broadcast(FLOATS, input[x1 + i]);
            FloatVector r2 = FloatVector.broadcast(FLOATS, input[x2 + i]);
            FloatVector r3 = FloatVector.broadcast(FLOATS, input[x3 + i]);
            FloatVector w0 = widenUnscaled(weights, w);
            a0 = w0.fma(r0, a0);
            a1 = w0.fma(r1, a1);
            a2 = w0.fma(r2, a2);
            a3 = w0.fma(r3, a3);
            FloatVector w1 = widenUnscaled(weights, w + L);
            b0 = w1.fma(r0, b0);
            b1 = w1.fma(r1, b1);
            b2 = w1.fma(r2, b2);
            b3 = w1.fma(r3, b3);
            FloatVector w2 = widenUnscaled(weights, w + 2 * L);
            c0 = w2.fma(r0, c0);
            c1 = w2.fma(r1, c1);
            c2 = w2.fma(r2, c2);
            c3 = w2.fma(r3, c3);
            FloatVector w3 = widenUnscaled(weights, w + 3 * L);
            e0 = w3.fma(r0, e0);
            e1 = w3.fma(r1, e1);
            e2 = w3.fma(r2, e2);
            e3 = w3.fma(r3, e3);
        }
        // Stored here, not through a helper: a call C2 declines to inline would box the vectors.
        int o1 = out + paddedVocab;
        int o2 = o1 + paddedVocab;
        int o3 = o2 + paddedVocab;
        a0.intoArray(logits, out);
        b0.intoArray(logits, out + L);
        c0.intoArray(logits, out + 2 * L);
        e0.intoArray(logits, out + 3 * L);
        a1.intoArray(logits, o1);
        b1.intoArray(logits, o1 + L);
        c1.intoArray(logits, o1 + 2 * L);
        e1.intoArray(logits, o1 + 3 * L);
        a2.intoArray(logits, o2);
        b2.intoArray(logits, o2 + L);
        c2.intoArray(logits, o2 + 2 * L);
        e2.intoArray(logits, o2 + 3 * L);
        a3.intoArray(logits, o3);
        b3.intoArray(logits, o3 + L);
        c3.intoArray(logits, o3 + 2 * L);
        e3.intoArray(logits, o3 + 3 * L);
    }

    /** In place over the first V logits from {@code from}: x − max − log Σ exp(x − max). */
    private void logSoftmax(int from) {
        int end = from + vocab;
        int vectorEnd = from + FLOATS.loopBound(vocab);
        FloatVector maxima = FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY);
        for (int i = from; i < vectorEnd; i += L) {
            maxima = maxima.max(FloatVector.fromArray(FLOATS, logits, i));
        }
        float max = maxima.reduceLanes(VectorOperators.MAX);
        for (int i = vectorEnd; i < end; i++) {
            max = Math.max(max, logits[i]);
        }
        FloatVector sums = FloatVector.zero(FLOATS);
        for (int i = from; i < vectorEnd; i += L) {
            sums = sums.add(FloatVector.fromArray(FLOATS, logits, i).sub(max).lanewise(VectorOperators.EXP));
        }
        double sum = sums.reduceLanes(VectorOperators.ADD);
        for (int i = vectorEnd; i < end; i++) {
            sum += Math.exp(logits[i] - max);
        }
        float shift = max + (float) Math.log(sum);
        for (int i = from; i < vectorEnd; i += L) {
            FloatVector.fromArray(FLOATS, logits, i).sub(shift).intoArray(logits, i);
        }
        for (int i = vectorEnd; i < end; i++) {
            logits[i] -= shift;
        }
    }

    int vocab() {
        return vocab;
    }
}
