package io.kaleidoscope.kmatrix;

import jdk.incubator.vector.FloatVector;

/**
 * How many vector registers the K-matrix kernel may plan for: a pass over two wide strides keeps
 * four rows (16 data vectors) live where there are 32 registers and two rows (8) at a time where
 * there are 16 (docs/kernel.md, "Register budget").
 *
 * <p>AVX-512 (a 512-bit preferred species on x86) and AArch64 have 32 vector registers; AVX2 has
 * 16, and 16 live data vectors plus coefficients spill there. The system property
 * {@code kaleido.vectorRegisters} (16 or 32) overrides the guess, to measure one blocking against
 * the other or for a machine the guess gets wrong. (A JVM started with {@code -XX:UseAVX=2} on an
 * AVX-512 machine prefers 256-bit vectors and so is planned for 16, as it should be: without EVEX
 * encodings it has 16.)
 */
final class VectorRegisters {
    /** The register count the kernel plans for: 16 or 32. */
    static final int COUNT = count();

    private VectorRegisters() {}

    /** Whether a pass may keep 16 vectors live plus operands (32 registers). */
    static boolean large() {
        return COUNT >= 32;
    }

    private static int count() {
        String forced = System.getProperty("kaleido.vectorRegisters", "").trim();
        if (!forced.isEmpty()) {
            return switch (forced) {
                case "16" -> 16;
                case "32" -> 32;
                default -> throw new IllegalArgumentException(
                        "kaleido.vectorRegisters must be 16 or 32, got '" + forced + "'");
            };
        }
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64")) {
            return 32;
        }
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? 32 : 16;
    }
}
