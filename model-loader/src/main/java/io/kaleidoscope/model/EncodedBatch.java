package io.kaleidoscope.model;

import java.nio.FloatBuffer;

/**
 * What the encoder produced for a batch of B sentences padded to S positions, in direct buffers:
 * the per-sentence decoder state that never changes during a search (docs/bundle-format.md §6).
 * The buffers hold one row per sentence; a search's rows are the sentences' groups of
 * {@code group} rows (its beam), which share their sentence's keys and values.
 *
 * @param rows       the search's rows: B · group
 * @param encoderOut (B, S, d)
 * @param encBias    (B, S): 0 at real positions, −1e9 at padding
 * @param encKeys    per decoder layer, (B, H, S, d/H)
 * @param encValues  per decoder layer, (B, H, S, d/H)
 * @param group      rows per sentence: 1, or the beam once {@link #repeatRows} set it
 */
public record EncodedBatch(int rows, int sourceLength, FloatBuffer encoderOut, FloatBuffer encBias,
                           FloatBuffer[] encKeys, FloatBuffer[] encValues, int group) {

    public EncodedBatch(int rows, int sourceLength, FloatBuffer encoderOut, FloatBuffer encBias, FloatBuffer[] encKeys,
                        FloatBuffer[] encValues) {
        this(rows, sourceLength, encoderOut, encBias, encKeys, encValues, 1);
    }

    /** The number of sentences: rows / group. */
    public int sentences() {
        return rows / group;
    }

    /** The same sentences with one row each (the buffers shared). */
    public EncodedBatch oneRowPerSentence() {
        return group == 1 ? this : new EncodedBatch(sentences(), sourceLength, encoderOut, encBias, encKeys, encValues, 1);
    }

    /**
     * The batch with {@code times} rows per sentence (row r of a one-row batch becomes rows
     * r·times … r·times + times − 1): the layout beam search runs in. Copies nothing: the rows of
     * a sentence share its buffers.
     */
    public EncodedBatch repeatRows(int times) {
        if (times == 1) {
            return this;
        }
        if (group != 1) {
            throw new IllegalStateException("rows already repeated (group " + group + ")");
        }
        return new EncodedBatch(rows * times, sourceLength, encoderOut, encBias, encKeys, encValues, times);
    }

    /**
     * The batch made of sentences {@code keep}, with this batch's rows per sentence, in place: the
     * batch returned views the first {@code keep.length} sentences of the same buffers, sentence i
     * moved there from sentence keep[i]. So each keep[i] must be i itself or lie beyond the new end
     * (no moved sentence then overwrites one still to be moved), and appear once. Used to drop
     * finished sentences from a running search; this batch must not be used afterwards.
     *
     * @throws IllegalArgumentException when {@code keep} breaks that rule
     */
    public EncodedBatch keepSentences(int[] keep, ModelConfig config) {
        requireInPlaceOrder(keep, sentences(), "sentence");
        int s = sourceLength;
        int kvRow = config.heads() * s * config.headDim();
        FloatBuffer[] keys = new FloatBuffer[encKeys.length];
        FloatBuffer[] values = new FloatBuffer[encValues.length];
        for (int l = 0; l < encKeys.length; l++) {
            keys[l] = keepRows(encKeys[l], kvRow, keep);
            values[l] = keepRows(encValues[l], kvRow, keep);
        }
        return new EncodedBatch(keep.length * group, s, keepRows(encoderOut, s * config.dModel(), keep),
                keepRows(encBias, s, keep), keys, values, group);
    }

    /**
     * Checks that moving item keep[i] to i for every i, in any order, never overwrites an item
     * still to be moved: keep[i] is i or at least keep.length, each at most once, all below {@code count}.
     */
    public static void requireInPlaceOrder(int[] keep, int count, String what) {
        boolean[] seen = new boolean[count];
        for (int i = 0; i < keep.length; i++) {
            int k = keep[i];
            if (k < 0 || k >= count || seen[k] || (k != i && k < keep.length)) {
                throw new IllegalArgumentException("cannot keep " + what + "s " + java.util.Arrays.toString(keep)
                        + " of " + count + " in place: each must stay where it is or come from beyond the new end, once");
            }
            seen[k] = true;
        }
    }

    /** Moves row keep[r] of {@code buffer} to row r (an order {@link #requireInPlaceOrder} allows); a view of those. */
    private static FloatBuffer keepRows(FloatBuffer buffer, int rowFloats, int[] keep) {
        for (int r = 0; r < keep.length; r++) {
            if (keep[r] != r) {
                buffer.put(r * rowFloats, buffer, keep[r] * rowFloats, rowFloats);
            }
        }
        return buffer.slice(0, keep.length * rowFloats);
    }

    /**
     * Batches one after another, padded to the longest source: padded positions get encoder
     * output 0, bias −1e9 (masked, as the encoder itself marks padding) and keys/values 0.
     */
    public static EncodedBatch concat(java.util.List<EncodedBatch> parts, ModelConfig config) {
        int rows = 0;
        int s = 0;
        for (EncodedBatch p : parts) {
            rows += p.rows();
            s = Math.max(s, p.sourceLength());
        }
        int d = config.dModel();
        int heads = config.heads();
        int dh = config.headDim();
        int layers = parts.get(0).encKeys().length;
        FloatBuffer out = io.kaleidoscope.onnx.DirectBuffers.floats((long) rows * s * d);
        FloatBuffer bias = io.kaleidoscope.onnx.DirectBuffers.floats((long) rows * s);
        FloatBuffer[] keys = new FloatBuffer[layers];
        FloatBuffer[] values = new FloatBuffer[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = io.kaleidoscope.onnx.DirectBuffers.floats((long) rows * heads * s * dh);
            values[l] = io.kaleidoscope.onnx.DirectBuffers.floats((long) rows * heads * s * dh);
        }
        int row = 0;
        for (EncodedBatch p : parts) {
            int ps = p.sourceLength();
            for (int r = 0; r < p.rows(); r++, row++) {
                out.put(row * s * d, p.encoderOut(), r * ps * d, ps * d);
                bias.put(row * s, p.encBias(), r * ps, ps);
                for (int t = ps; t < s; t++) {
                    bias.put(row * s + t, -1e9f);
                }
                for (int l = 0; l < layers; l++) {
                    for (int h = 0; h < heads; h++) {
                        keys[l].put((row * heads + h) * s * dh, p.encKeys()[l], (r * heads + h) * ps * dh, ps * dh);
                        values[l].put((row * heads + h) * s * dh, p.encValues()[l], (r * heads + h) * ps * dh, ps * dh);
                    }
                }
            }
        }
        return new EncodedBatch(rows, s, out, bias, keys, values);
    }
}
