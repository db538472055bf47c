package io.kaleidoscope.kmatrix;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * K-matrix kernel on the Vector API ({@code jdk.incubator.vector}), species-agnostic, 512-bit on
 * AVX-512 machines.
 *
 * <p>Two paths, picked per call by batch size:
 * <ul>
 *   <li><b>row path</b> (batch below {@link #LANE_PATH_MIN_BATCH}): each row is transformed on its
 *       own with positions in the lanes; narrow levels use lane shuffles.</li>
 *   <li><b>lane path</b>: tiles of L rows are transposed into scratch so the batch fills the
 *       lanes; every coefficient is then a broadcast scalar used by L rows at once, and no level
 *       needs a shuffle.</li>
 * </ul>
 * Both fuse consecutive levels into a few passes ({@link ButterflyPlan}).
 *
 * <p>The vector width is fixed when this class initialises: the platform's preferred float
 * species, or the width in bits named by the system property {@code kaleido.kernel.vectorBits}
 * (64, 128, 256 or 512). It must be a static constant for C2 to compile vector code.
 */
public final class VectorKMatrixKernel implements KMatrixKernel {
    /** The float species every vector in the kernel uses. */
    static final VectorSpecies<Float> SPECIES = chooseSpecies();

    /**
     * Smallest batch that takes the lane path. Below it the tile would be mostly empty lanes and
     * the transposes would not pay; chosen from the JMH kernel benchmark (see docs/kernel.md).
     */
    static final int LANE_PATH_MIN_BATCH = Integer.getInteger("kaleido.kernel.lanePathMinBatch", 4);

    private static VectorSpecies<Float> chooseSpecies() {
        Integer bits = Integer.getInteger("kaleido.kernel.vectorBits");
        if (bits == null) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(bits)).check(Float.class);
    }

    @Override
    public String description() {
        return "vector (%d-bit, %d float lanes; lane path from batch %d)"
                .formatted(SPECIES.vectorBitSize(), SPECIES.length(), LANE_PATH_MIN_BATCH);
    }

    @Override
    public int rowsPerTile() {
        return SPECIES.length();
    }

    @Override
    public Computation prepare(KMatrixWeights weights) {
        return new VectorKMatrixComputation(weights, LANE_PATH_MIN_BATCH);
    }
}
