package io.kaleidoscope.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The int8 form of a linear layer's weight W (d_out × d_in) that ONNX Runtime's
 * DynamicQuantizeMatMul multiplies by (docs/bundle-format.md §12): Wᵀ as int8 (d_in × d_out),
 * symmetric per output feature j, with scale_j = max_i |W[j][i]| / M (1 for an all-zero row)
 * and q[i][j] = round-half-even(W[j][i] / scale_j) in float32, within [−M, M]; zero points all 0.
 * M is 127, or 63 on x86 cores without VNNI, whose int8 products would saturate otherwise
 * ({@link Int8Range}). Bundle format §12 defines these values; the bundle stores none of them.
 *
 * @param transposed d_in × d_out bytes, row-major, a direct buffer
 * @param scales     d_out floats, a direct buffer
 * @param zeros      d_out zero bytes, a direct buffer
 */
public record Int8Weight(int outputs, int inputs, ByteBuffer transposed, FloatBuffer scales, ByteBuffer zeros) {
    /** Quantizes W, given as a row-major d_out × d_in buffer, to this machine's range ({@link Int8Range}). */
    public static Int8Weight of(FloatBuffer weight, int outputs, int inputs) {
        return of(weight, outputs, inputs, Int8Range.WEIGHT_MAX);
    }

    /** Quantizes W to the levels −max..max. */
    static Int8Weight of(FloatBuffer weight, int outputs, int inputs, int max) {
        if ((long) outputs * inputs != weight.capacity()) {
            throw new IllegalArgumentException("a %d × %d weight needs %d floats, got %d"
                    .formatted(outputs, inputs, (long) outputs * inputs, weight.capacity()));
        }
        ByteBuffer transposed = ByteBuffer.allocateDirect(outputs * inputs).order(ByteOrder.nativeOrder());
        FloatBuffer scales = DirectBuffers.floats(outputs);
        ByteBuffer zeros = ByteBuffer.allocateDirect(outputs).order(ByteOrder.nativeOrder());
        for (int j = 0; j < outputs; j++) {
            float largest = 0;
            for (int i = 0; i < inputs; i++) {
                float w = weight.get(j * inputs + i);
                if (!Float.isFinite(w)) {
                    throw new IllegalArgumentException("weight row " + j + " holds " + w);
                }
                largest = Math.max(largest, Math.abs(w));
            }
            float scale = largest == 0 ? 1f : largest / max;
            scales.put(j, scale);
            for (int i = 0; i < inputs; i++) {
                float q = (float) Math.rint(weight.get(j * inputs + i) / scale);
                transposed.put(i * outputs + j, (byte) Math.max(-max, Math.min(max, q)));
            }
        }
        return new Int8Weight(outputs, inputs, transposed, scales, zeros);
    }
}
