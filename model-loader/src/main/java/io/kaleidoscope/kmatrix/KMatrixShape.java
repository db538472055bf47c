package io.kaleidoscope.kmatrix;

import java.util.Arrays;

/**
 * The geometry of one K-matrix linear layer {@code in -> out} (DESIGN.md §2).
 *
 * <p>The layer is built from {@code stacks} independent n-point BB* products, n a power of two:
 * <ul>
 *   <li>{@code n = max(8, nextPowerOfTwo(in))}: inputs shorter than n are zero-padded;</li>
 *   <li>{@code out > n}: {@code ceil(out / n)} products run on the same input and their outputs are
 *       concatenated (and cut to {@code out});</li>
 *   <li>{@code out <= n}: one product, whose output positions {@code m} are summed into
 *       {@code y[m mod out]} ("sum consecutive chunks of length out"; a last, shorter chunk adds
 *       into the first positions).</li>
 * </ul>
 * Each product has {@code 2·log2 n} levels in application order: the B* half with strides
 * n/2, n/4, …, 1, then the B half with strides 1, 2, …, n/2. A level at stride s pairs position
 * p (bit s clear) with q = p + s.
 *
 * <p>Immutable; validates its arguments with messages that name the layer.
 */
public final class KMatrixShape {
    /** Smallest and largest supported transform size. */
    public static final int MIN_N = 8;
    public static final int MAX_N = 4096;

    private final String name;
    private final int in;
    private final int out;
    private final int n;
    private final int log2n;
    private final int stacks;
    private final int[] strides;

    private KMatrixShape(String name, int in, int out, int n) {
        this.name = name;
        this.in = in;
        this.out = out;
        this.n = n;
        this.log2n = Integer.numberOfTrailingZeros(n);
        this.stacks = out > n ? (out + n - 1) / n : 1;
        this.strides = new int[2 * log2n];
        for (int level = 0; level < log2n; level++) {
            strides[level] = n >> (level + 1);          // B*: n/2, n/4, ..., 1
            strides[log2n + level] = 1 << level;        // B:  1, 2, ..., n/2
        }
    }

    /**
     * The shape of a layer {@code in -> out}, with n chosen as the smallest power of two that
     * holds the input (at least {@link #MIN_N}).
     *
     * @throws IllegalArgumentException if a size is not positive or the input needs n > MAX_N
     */
    public static KMatrixShape of(String name, int in, int out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(
                    "K-matrix layer '%s': features must be positive, got in=%d out=%d".formatted(name, in, out));
        }
        if (in > MAX_N) {
            throw new IllegalArgumentException("K-matrix layer '%s': in=%d needs n > %d, the largest supported size"
                    .formatted(name, in, MAX_N));
        }
        int n = Math.max(MIN_N, Integer.highestOneBit(in) == in ? in : Integer.highestOneBit(in) << 1);
        return new KMatrixShape(name, in, out, n);
    }

    /**
     * The shape of a layer whose transform size n is given explicitly (as a model file states it).
     *
     * @throws IllegalArgumentException if n is not a power of two in [MIN_N, MAX_N] or smaller than in
     */
    public static KMatrixShape of(String name, int in, int out, int n) {
        if (n < MIN_N || n > MAX_N || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("K-matrix layer '%s': n=%d is not a power of two in [%d, %d]"
                    .formatted(name, n, MIN_N, MAX_N));
        }
        if (in <= 0 || out <= 0 || in > n) {
            throw new IllegalArgumentException("K-matrix layer '%s': in=%d out=%d do not fit n=%d (need 0 < in <= n, out > 0)"
                    .formatted(name, in, out, n));
        }
        return new KMatrixShape(name, in, out, n);
    }

    /** Canonical twiddle shape of this layer: (stacks, 2·log2 n, n/2, 2, 2). */
    public long[] canonicalTwiddleShape() {
        return new long[] {stacks, levels(), n / 2, 2, 2};
    }

    /**
     * Checks a twiddle tensor's shape against this layer. Accepts (stacks, 2·log2 n, n/2, 2, 2)
     * and, for a single stack, (2·log2 n, n/2, 2, 2).
     *
     * @throws IllegalArgumentException naming the layer, the expected and the actual shape
     */
    public void checkTwiddleShape(long[] shape) {
        long[] expected = canonicalTwiddleShape();
        boolean matches = Arrays.equals(shape, expected)
                || (stacks == 1 && Arrays.equals(shape, Arrays.copyOfRange(expected, 1, 5)));
        if (!matches) {
            throw new IllegalArgumentException("K-matrix layer '%s' (%d -> %d, n=%d): twiddle shape %s, expected %s"
                    .formatted(name, in, out, n, Arrays.toString(shape), Arrays.toString(expected)));
        }
    }

    /** Number of float twiddle coefficients: stacks · 2·log2 n · n/2 · 4. */
    public int twiddleCount() {
        return stacks * levels() * (n / 2) * 4;
    }

    public String name() { return name; }
    public int in() { return in; }
    public int out() { return out; }
    public int n() { return n; }
    public int log2n() { return log2n; }
    public int stacks() { return stacks; }
    /** Number of butterfly levels in one product, 2·log2 n. */
    public int levels() { return strides.length; }
    /** Stride of a level, in application order. */
    public int stride(int level) { return strides[level]; }

    /**
     * Multiply-adds for one input row: 4·n·log2 n per stacked product (each of the 2·log2 n levels
     * does n/2 2×2 blocks of 4 multiply-adds). Padding, chunk sums and bias are not counted.
     */
    public long multiplyAddsPerRow() {
        return (long) stacks * 4L * n * log2n;
    }

    @Override
    public String toString() {
        return "KMatrixShape[%s: %d -> %d, n=%d, stacks=%d]".formatted(name, in, out, n, stacks);
    }
}
