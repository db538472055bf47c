package io.kaleidoscope.kmatrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The build's second test pass (model-loader/pom.xml, execution {@code vectors-128-bit}) names the
 * vector width and register plan it asked the JVM for; this checks they took effect, so that pass
 * cannot silently rerun the machine's own width. Skipped in the ordinary pass, which names none.
 */
class VectorWidthTest {

    @Test
    void theNarrowPassRunsTheWidthAndPlanItAskedFor() {
        String bits = System.getProperty("kaleido.test.vectorBits");
        assumeTrue(bits != null, "not the narrow-vector pass");
        assertEquals(Integer.parseInt(bits), FloatVector.SPECIES_PREFERRED.vectorBitSize());
        assertEquals(Integer.parseInt(System.getProperty("kaleido.vectorRegisters")), VectorRegisters.COUNT);
        assertEquals(Integer.parseInt(bits), VectorKMatrixKernel.SPECIES.vectorBitSize());
    }
}
