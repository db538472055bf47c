package io.kaleidoscope.loadtest.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The core's attainable float32 peak from Java: 12 independent FMA chains on the preferred
 * vector species, no memory traffic. Twelve cover FMA latency × throughput on current x86 cores
 * (e.g. 2 pipes × 4–5 cycles) and, with the two operands, still fit AVX2's 16 vector registers:
 * 16 chains spilled there and measured 53.9 instead of 74–82 GFLOP/s (docs/kernel.md).
 * One call does {@link #FMAS_PER_CALL} vector FMAs, i.e. FMAS_PER_CALL · lanes · 2 flops.
 */
public class PeakFmaBenchmark extends KernelBenchmarkSettings {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 12;
    static final int ROUNDS = 1024;
    static final int FMAS_PER_CALL = CHAINS * ROUNDS;

    private final float[] a = new float[SPECIES.length()];
    private final float[] b = new float[SPECIES.length()];

    /** Flops one benchmark call performs. */
    static long flopsPerCall() {
        return 2L * FMAS_PER_CALL * SPECIES.length();
    }

    @Setup
    public void setUp() {
        // Values chosen so the chains stay finite and normal: x ← x·0.999 + 1e-3 converges to 1.
        java.util.Arrays.fill(a, 0.999f);
        java.util.Arrays.fill(b, 1e-3f);
    }

    @Benchmark
    public float fmaChains() {
        // Loaded here, not kept in fields: C2 keeps vectors in registers only when it sees them
        // created from memory inside the compiled method (a vector object from a field stays boxed).
        FloatVector a = FloatVector.fromArray(SPECIES, this.a, 0);
        FloatVector b = FloatVector.fromArray(SPECIES, this.b, 0);
        FloatVector c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b;
        FloatVector c8 = b, c9 = b, c10 = b, c11 = b;
        for (int i = 0; i < ROUNDS; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
                .add(c8).add(c9).add(c10).add(c11);
        return sum.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
