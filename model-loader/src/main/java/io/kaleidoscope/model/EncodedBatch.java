package io.kaleidoscope.model;

import java.nio.FloatBuffer;

/**
 * What the encoder produced for a batch of B sentences padded to S positions, in direct buffers:
 * the per-sentence decoder state that never changes during a search (docs/bundle-format.md §6).
 *
 * @param encoderOut (B, S, d)
 * @param encBias    (B, S): 0 at real positions, −1e9 at padding
 * @param encKeys    per decoder layer, (B, H, S, d/H)
 * @param encValues  per decoder layer, (B, H, S, d/H)
 * @param group      rows per sentence: 1, or the beam once {@link #repeatRows} repeated them
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

    /** One row per sentence: the first of each group (itself when the group is 1). */
    public EncodedBatch firstOfEachGroup(ModelConfig config) {
        if (group == 1) {
            return this;
        }
        int[] first = new int[sentences()];
        for (int b = 0; b < first.length; b++) {
            first[b] = b * group;
        }
        EncodedBatch one = selectRows(first, config);
        return new EncodedBatch(one.rows, one.sourceLength, one.encoderOut, one.encBias, one.encKeys, one.encValues, 1);
    }

    /**
     * The batch with every sentence's rows repeated {@code times} times in place (row r becomes
     * rows r·times … r·times + times − 1): the layout beam search runs in. Copies once per search.
     */
    public EncodedBatch repeatRows(int times, ModelConfig config) {
        if (times == 1) {
            return this;
        }
        if (group != 1) {
            throw new IllegalStateException("rows already repeated (group " + group + ")");
        }
        int[] rowsRepeated = new int[rows * times];
        for (int r = 0; r < rowsRepeated.length; r++) {
            rowsRepeated[r] = r / times;
        }
        EncodedBatch repeated = selectRows(rowsRepeated, config);
        return new EncodedBatch(repeated.rows, sourceLength, repeated.encoderOut, repeated.encBias, repeated.encKeys,
                repeated.encValues, times);
    }

    /**
     * The batch made of the given rows, in that order, repeats allowed (copies), with this batch's
     * group. Used to drop the rows of finished sentences from a running search (whole groups) and
     * to repeat rows for the beam.
     */
    public EncodedBatch selectRows(int[] keep, ModelConfig config) {
        int s = sourceLength;
        int kvRow = config.heads() * s * config.headDim();
        FloatBuffer[] keys = new FloatBuffer[encKeys.length];
        FloatBuffer[] values = new FloatBuffer[encValues.length];
        for (int l = 0; l < encKeys.length; l++) {
            keys[l] = select(encKeys[l], kvRow, keep);
            values[l] = select(encValues[l], kvRow, keep);
        }
        return new EncodedBatch(keep.length, s, select(encoderOut, s * config.dModel(), keep), select(encBias, s, keep),
                keys, values, group);
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

    private static FloatBuffer select(FloatBuffer source, int rowFloats, int[] keep) {
        FloatBuffer out = io.kaleidoscope.onnx.DirectBuffers.floats((long) keep.length * rowFloats);
        for (int r = 0; r < keep.length; r++) {
            out.put(r * rowFloats, source, keep[r] * rowFloats, rowFloats);
        }
        return out;
    }
}
