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
 */
public record EncodedBatch(int rows, int sourceLength, FloatBuffer encoderOut, FloatBuffer encBias,
                           FloatBuffer[] encKeys, FloatBuffer[] encValues) {

    /**
     * The batch with every sentence's rows repeated {@code times} times in place (row r becomes
     * rows r·times … r·times + times − 1): the layout beam search runs in. Copies once per search.
     */
    public EncodedBatch repeatRows(int times, ModelConfig config) {
        if (times == 1) {
            return this;
        }
        int[] rowsRepeated = new int[rows * times];
        for (int r = 0; r < rowsRepeated.length; r++) {
            rowsRepeated[r] = r / times;
        }
        return selectRows(rowsRepeated, config);
    }

    /**
     * The batch made of the given rows, in that order, repeats allowed (copies). Used to drop
     * the rows of finished sentences from a running search and to repeat rows for the beam.
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
                keys, values);
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
