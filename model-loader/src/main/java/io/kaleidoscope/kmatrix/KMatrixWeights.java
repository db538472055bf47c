package io.kaleidoscope.kmatrix;

/**
 * The weights of one K-matrix layer in the kernel's unit-stride layout.
 *
 * <p>The canonical twiddles (DESIGN.md §2) hold, per level, one 2×2 block (a, b, c, d) per pair
 * (p, q = p + s): y_p = a·x_p + b·x_q and y_q = c·x_p + d·x_q. Reading them needs the pair index
 * arithmetic of every level. Here they are rewritten once, at load time, as two coefficients per
 * <em>position</em> k:
 * <pre>
 *   y_k = self[k] · x_k + partner[k] · x_(k xor s)
 * </pre>
 * with (self, partner) = (a, b) at p and (d, c) at q. Both arrays are read with unit stride by
 * every kernel, whatever the level's stride.
 *
 * <p>Layout: {@code self} and {@code partner} are [stack][level][n] flattened, levels in
 * application order. {@code bias} has {@code out} entries. Immutable after construction; the
 * arrays are not copied out and must not be modified.
 */
public final class KMatrixWeights {
    private final KMatrixShape shape;
    private final float[] self;
    private final float[] partner;
    private final float[] bias;

    private KMatrixWeights(KMatrixShape shape, float[] self, float[] partner, float[] bias) {
        this.shape = shape;
        this.self = self;
        this.partner = partner;
        this.bias = bias;
    }

    /**
     * Converts canonical twiddles to the unit-stride layout.
     *
     * @param shape        the layer geometry
     * @param twiddleShape the tensor shape as stored (checked against the layer)
     * @param twiddles     row-major (stacks, 2·log2 n, n/2, 2, 2)
     * @param bias         {@code out} values, or null for no bias
     * @throws IllegalArgumentException naming the layer if a shape or length is wrong
     */
    public static KMatrixWeights fromCanonical(KMatrixShape shape, long[] twiddleShape, float[] twiddles, float[] bias) {
        shape.checkTwiddleShape(twiddleShape);
        if (twiddles.length != shape.twiddleCount()) {
            throw new IllegalArgumentException("K-matrix layer '%s': %d twiddle values for shape %s, expected %d"
                    .formatted(shape.name(), twiddles.length, java.util.Arrays.toString(twiddleShape), shape.twiddleCount()));
        }
        if (bias != null && bias.length != shape.out()) {
            throw new IllegalArgumentException("K-matrix layer '%s': bias has %d values, expected out=%d"
                    .formatted(shape.name(), bias.length, shape.out()));
        }
        int n = shape.n();
        int levels = shape.levels();
        float[] self = new float[shape.stacks() * levels * n];
        float[] partner = new float[self.length];
        for (int stack = 0; stack < shape.stacks(); stack++) {
            for (int level = 0; level < levels; level++) {
                int s = shape.stride(level);
                int blockBase = (stack * levels + level) * (n / 2) * 4;
                int coefBase = (stack * levels + level) * n;
                for (int i = 0; i < n / 2; i++) {
                    int o = i % s;
                    int p = 2 * (i - o) + o;
                    int q = p + s;
                    int t = blockBase + 4 * i;
                    self[coefBase + p] = twiddles[t];         // a
                    partner[coefBase + p] = twiddles[t + 1];  // b
                    partner[coefBase + q] = twiddles[t + 2];  // c
                    self[coefBase + q] = twiddles[t + 3];     // d
                }
            }
        }
        float[] b = bias == null ? new float[shape.out()] : bias.clone();
        return new KMatrixWeights(shape, self, partner, b);
    }

    /** Convenience for a canonical tensor in its 5-dimensional shape. */
    public static KMatrixWeights fromCanonical(KMatrixShape shape, float[] twiddles, float[] bias) {
        return fromCanonical(shape, shape.canonicalTwiddleShape(), twiddles, bias);
    }

    public KMatrixShape shape() { return shape; }

    /** Offset of (stack, level) in {@link #self()} and {@link #partner()}. */
    public int offset(int stack, int level) {
        return (stack * shape.levels() + level) * shape.n();
    }

    /** Self coefficients, [stack][level][n]; read-only. */
    float[] self() { return self; }

    /** Partner coefficients, [stack][level][n]; read-only. */
    float[] partner() { return partner; }

    /** Bias, [out]; read-only. */
    float[] bias() { return bias; }
}
