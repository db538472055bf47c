package io.kaleidoscope.kmatrix;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * K-matrix kernel on the Vector API ({@code jdk.incubator.vector}), species-agnostic, 512-bit on
 * AVX-512 machines.
 *
 * <p>Rows keep their natural layout (positions along the lanes). Consecutive butterfly levels are
 * fused into a few passes ({@link ButterflyPlan}); the levels whose stride is below the vector
 * length use lane shuffles; four rows are transformed together so each coefficient load serves
 * four rows ({@link FourRowButterflies}). An earlier design that transposed tiles of 16 rows into
 * the lanes (so every coefficient is a broadcast scalar) measured slower at every batch size: its
 * transposes alone cost as much as the transform, and the broadcasts bound the arithmetic.
 * Layers with n below the vector length run on the scalar kernel.
 *
 * <p>The vector width is fixed when this class initialises: the platform's preferred float
 * species, or the width in bits named by the system property {@code kaleido.kernel.vectorBits}
 * (128, 256 or 512). It must be a static constant for C2 to compile vector code.
 */
public final class VectorKMatrixKernel implements KMatrixKernel {
    /** The float species every vector in the kernel uses. */
    static final VectorSpecies<Float> SPECIES = chooseSpecies();

    private static VectorSpecies<Float> chooseSpecies() {
        Integer bits = Integer.getInteger("kaleido.kernel.vectorBits");
        if (bits == null) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(bits)).check(Float.class);
    }

    @Override
    public String description() {
        return "vector (%d-bit, %d float lanes, %d rows per pass, planned for %d vector registers)"
                .formatted(SPECIES.vectorBitSize(), SPECIES.length(), VectorKMatrixComputation.ROWS_PER_PASS,
                        VectorRegisters.COUNT);
    }

    @Override
    public int rowsPerTile() {
        return VectorKMatrixComputation.ROWS_PER_PASS;
    }

    @Override
    public Computation prepare(KMatrixWeights weights) {
        if (weights.shape().n() < SPECIES.length()) {
            return new ScalarKMatrixKernel().prepare(weights);
        }
        return new VectorKMatrixComputation(weights);
    }
}
