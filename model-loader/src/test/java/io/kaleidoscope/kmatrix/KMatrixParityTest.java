package io.kaleidoscope.kmatrix;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel path against two independent oracles: the dense matrix built as a product of the
 * sparse level matrices ({@link LevelMatrixProduct}) and the literal reading of the spec on
 * canonical twiddles ({@link CanonicalKMatrix}). Relative error ≤ 1e-5 of the output's largest
 * magnitude.
 */
class KMatrixParityTest {
    private static final double TOLERANCE = 1e-5;
    private static final int[] BATCHES = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 64, 67};

    /** The kernels under test: the scalar reference and the vector kernel with several group sizes per pass. */
    static List<KMatrixKernel> kernels() {
        List<KMatrixKernel> kernels = new ArrayList<>();
        kernels.add(KMatrixKernels.scalar());
        if (KMatrixKernels.vectorApiAvailable()) {
            kernels.add(KMatrixKernels.vector());
            kernels.add(VectorPaths.withGroupBits(1, false));
            kernels.add(VectorPaths.withGroupBits(2, false));   // the default with 32 vector registers
            kernels.add(VectorPaths.withGroupBits(2, true));    // the default with 16
        }
        return kernels;
    }

    static Stream<Arguments> squareSizes() {
        return Stream.of(8, 16, 32, 64, 128, 256, 512, 1024, 2048).map(Arguments::of);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("squareSizes")
    void squareLayersMatchTheLevelProductForEveryBatch(int n) {
        Random random = new Random(n);
        KMatrixShape shape = KMatrixShape.of("square" + n, n, n);
        float[] twiddles = n <= 64 ? RandomTwiddles.uniform(shape, random) : RandomTwiddles.orthogonal(shape, random);
        float[] bias = RandomTwiddles.values(n, random);
        int[] batches = n >= 1024 ? new int[] {1, 3, 16, 17, 33} : BATCHES;
        checkAllKernels(shape, twiddles, bias, batches, random);
    }

    static Stream<Arguments> modelShapes() {
        return Stream.of(
                Arguments.of(512, 512),     // conv linear1 / linear2
                Arguments.of(512, 1024),    // fc1: two stacked 512-point products
                Arguments.of(1024, 512),    // fc2: one 1024-point product, halves summed
                Arguments.of(512, 12),      // conv weight linears, H·K for K = 3, 7, 15, 31
                Arguments.of(512, 28),
                Arguments.of(512, 60),
                Arguments.of(512, 124),
                Arguments.of(300, 300),     // zero padding to n = 512, uneven chunks
                Arguments.of(512, 700),     // two stacks, the second cut short
                Arguments.of(5, 3));        // smallest n = 8
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("modelShapes")
    void modelShapesMatchTheLevelProduct(int in, int out) {
        Random random = new Random(31L * in + out);
        KMatrixShape shape = KMatrixShape.of(in + "x" + out, in, out);
        float[] twiddles = RandomTwiddles.orthogonal(shape, random);
        float[] bias = RandomTwiddles.values(out, random);
        checkAllKernels(shape, twiddles, bias, new int[] {1, 2, 4, 7, 16, 19, 64, 67}, random);
    }

    @Test
    void canonicalOracleAgreesWithTheLevelProduct() {
        // The two oracles are independent readings of the spec; they must agree with each other.
        Random random = new Random(7);
        for (int[] io : new int[][] {{64, 64}, {32, 96}, {64, 24}, {20, 20}}) {
            KMatrixShape shape = KMatrixShape.of("oracle", io[0], io[1]);
            float[] twiddles = RandomTwiddles.uniform(shape, random);
            float[] bias = RandomTwiddles.values(shape.out(), random);
            float[] x = RandomTwiddles.values(shape.in(), random);
            double[] dense = LevelMatrixProduct.apply(shape, twiddles, bias, x, 1);
            double[] literal = CanonicalKMatrix.apply(shape, twiddles, bias, x, 0);
            assertClose(dense, literal, 1e-12, "oracles for " + shape);
        }
    }

    @Test
    void vectorKernelIsAvailableUnderTheBuildFlags() {
        // The build runs tests with --add-modules jdk.incubator.vector: the vector paths above must run.
        assumeTrue(System.getProperty("kaleido.allowScalarOnly") == null);
        assertTrue(KMatrixKernels.vectorApiAvailable(), "tests must run with --add-modules jdk.incubator.vector");
        assertTrue(KMatrixKernels.preferred().description().startsWith("vector"), KMatrixKernels.preferred().description());
    }

    private static void checkAllKernels(KMatrixShape shape, float[] twiddles, float[] bias, int[] batches, Random random) {
        KMatrixWeights weights = KMatrixWeights.fromCanonical(shape, twiddles, bias);
        int maxBatch = 0;
        for (int b : batches) {
            maxBatch = Math.max(maxBatch, b);
        }
        float[] x = RandomTwiddles.values(maxBatch * shape.in(), random);
        double[] reference = LevelMatrixProduct.apply(shape, twiddles, bias, x, maxBatch);
        double[] literal = CanonicalKMatrix.apply(shape, twiddles, bias, x, 0);
        assertClose(java.util.Arrays.copyOf(reference, shape.out()), literal, 1e-9, "oracles for " + shape);

        for (KMatrixKernel kernel : kernels()) {
            KMatrixLayer layer = KMatrixLayer.create(weights, kernel);
            KMatrixWorkspace workspace = kernel.newWorkspace(shape.n());
            for (int batch : batches) {
                // Offsets and a guard value around the output check that exactly the rows asked for are written.
                int xOffset = 3;
                int yOffset = 5;
                float[] xs = new float[xOffset + batch * shape.in()];
                System.arraycopy(x, 0, xs, xOffset, batch * shape.in());
                float[] y = new float[yOffset + batch * shape.out() + 2];
                java.util.Arrays.fill(y, 12345f);
                layer.apply(xs, xOffset, y, yOffset, batch, workspace);
                String what = kernel.description() + " " + shape + " batch " + batch;
                double[] expected = java.util.Arrays.copyOf(reference, batch * shape.out());
                double[] actual = new double[batch * shape.out()];
                for (int i = 0; i < actual.length; i++) {
                    actual[i] = y[yOffset + i];
                }
                assertClose(expected, actual, TOLERANCE, what);
                for (int i = 0; i < yOffset; i++) {
                    assertTrue(y[i] == 12345f, what + ": wrote before the output offset");
                }
                for (int i = yOffset + actual.length; i < y.length; i++) {
                    assertTrue(y[i] == 12345f, what + ": wrote past the last row");
                }
            }
        }
    }

    /** max |expected − actual| ≤ tolerance · max(1, max |expected|). */
    static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        double scale = 1.0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            if (!(err <= worst)) {
                worst = err;
                worstAt = i;
            }
        }
        double relative = worst / scale;
        if (!(relative <= tolerance)) {
            throw new AssertionError("%s: relative error %.3g at %d (expected %.7g, got %.7g), tolerance %.1g"
                    .formatted(what, relative, worstAt, expected[worstAt], actual[worstAt], tolerance));
        }
    }
}
