package io.kaleidoscope.kmatrix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Shapes, sizes and arguments that must be refused, each with a message that says why. */
class KMatrixValidationTest {

    @Test
    void sizesFollowTheLayerRule() {
        KMatrixShape fc1 = KMatrixShape.of("fc1", 512, 1024);
        assertEquals(512, fc1.n());
        assertEquals(2, fc1.stacks());
        assertArrayEquals(new long[] {2, 18, 256, 2, 2}, fc1.canonicalTwiddleShape());
        KMatrixShape fc2 = KMatrixShape.of("fc2", 1024, 512);
        assertEquals(1024, fc2.n());
        assertEquals(1, fc2.stacks());
        assertEquals(4L * 1024 * 10, fc2.multiplyAddsPerRow());
        assertEquals(512, KMatrixShape.of("pad", 300, 300).n());
        assertEquals(8, KMatrixShape.of("small", 3, 2).n());
        assertEquals(3, KMatrixShape.of("cut", 512, 1100).stacks());
        int[] expectedStrides = {4, 2, 1, 1, 2, 4};
        KMatrixShape eight = KMatrixShape.of("eight", 8, 8);
        for (int level = 0; level < 6; level++) {
            assertEquals(expectedStrides[level], eight.stride(level), "level " + level);
        }
    }

    @Test
    void nonPowerOfTwoNIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KMatrixShape.of("decoder.layers.0.fc1", 12, 12, 12));
        assertTrue(e.getMessage().contains("decoder.layers.0.fc1") && e.getMessage().contains("n=12 is not a power of two"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KMatrixShape.of("tiny", 4, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> KMatrixShape.of("huge", 8192, 8192, 8192));
        assertThrows(IllegalArgumentException.class, () -> KMatrixShape.of("in>n", 600, 512, 512));
        IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class,
                () -> KMatrixShape.of("wide", 5000, 10));
        assertTrue(tooWide.getMessage().contains("4096"), tooWide.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KMatrixShape.of("zero", 0, 10));
    }

    @Test
    void wrongTwiddleShapeIsRefusedWithBothShapes() {
        KMatrixShape shape = KMatrixShape.of("decoder.layers.3.fc1", 512, 1024);
        float[] twiddles = new float[shape.twiddleCount()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KMatrixWeights.fromCanonical(shape, new long[] {18, 256, 2, 2}, twiddles, null));
        assertEquals("K-matrix layer 'decoder.layers.3.fc1' (512 -> 1024, n=512): twiddle shape [18, 256, 2, 2], "
                + "expected [2, 18, 256, 2, 2]", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> KMatrixWeights.fromCanonical(shape, new long[] {2, 18, 128, 2, 2}, twiddles, null));
        assertThrows(IllegalArgumentException.class,
                () -> KMatrixWeights.fromCanonical(shape, shape.canonicalTwiddleShape(), new float[10], null));
        IllegalArgumentException bias = assertThrows(IllegalArgumentException.class,
                () -> KMatrixWeights.fromCanonical(shape, twiddles, new float[512]));
        assertTrue(bias.getMessage().contains("bias has 512 values, expected out=1024"), bias.getMessage());
    }

    @Test
    void singleStackAcceptsTheFourDimensionalShape() {
        KMatrixShape shape = KMatrixShape.of("linear1", 512, 512);
        KMatrixWeights w = KMatrixWeights.fromCanonical(shape, new long[] {18, 256, 2, 2},
                new float[shape.twiddleCount()], null);
        assertEquals(shape, w.shape());
    }

    @Test
    void badCallArgumentsAreRefused() {
        for (KMatrixKernel kernel : KMatrixParityTest.kernels()) {
            KMatrixShape shape = KMatrixShape.of("layer", 64, 64);
            KMatrixLayer layer = KMatrixLayer.create(
                    KMatrixWeights.fromCanonical(shape, RandomTwiddles.orthogonal(shape, new Random(1)), null), kernel);
            KMatrixWorkspace workspace = kernel.newWorkspace(64);
            assertThrows(IllegalArgumentException.class, () -> layer.apply(new float[64], new float[64], 2, workspace));
            assertThrows(IllegalArgumentException.class, () -> layer.apply(new float[128], new float[64], 2, workspace));
            assertThrows(IllegalArgumentException.class, () -> layer.apply(new float[64], new float[64], -1, workspace));
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> layer.apply(new float[64], new float[64], 1, kernel.newWorkspace(32)));
            assertTrue(small.getMessage().contains("workspace"), small.getMessage());
        }
    }

    @Test
    void scalarKernelAllocatesNothingPerCall() {
        // The vector kernel's allocation is measured by the JMH benchmark with the GC profiler:
        // before C2 compiles it, the Vector API boxes vectors, so a unit test could not tell.
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        KMatrixKernel kernel = KMatrixKernels.scalar();
        KMatrixShape shape = KMatrixShape.of("fc1", 64, 128);
        KMatrixLayer layer = KMatrixLayer.create(
                KMatrixWeights.fromCanonical(shape, RandomTwiddles.orthogonal(shape, new Random(2)), null), kernel);
        KMatrixWorkspace workspace = kernel.newWorkspace(64);
        float[] x = RandomTwiddles.values(4 * 64, new Random(3));
        float[] y = new float[4 * 128];
        for (int i = 0; i < 2_000; i++) {
            layer.apply(x, y, 4, workspace);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++) {
            layer.apply(x, y, 4, workspace);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1_000, "1000 calls allocated " + allocated + " bytes");
    }
}
