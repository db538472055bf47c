package io.kaleidoscope.onnx;

import java.nio.file.Path;
import java.util.Set;

/**
 * How many bits of each int8 weight the engine uses ({@link Int8Weight}): 8 (levels −127..127)
 * where ONNX Runtime's int8 products are exact, 7 (−63..63) on x86 cores without VNNI.
 *
 * <p>Why: without VNNI, ONNX Runtime's x86 kernels multiply the activations (unsigned bytes) by the
 * weights (signed bytes) with an instruction that adds pairs of products in 16 bits and
 * saturates: 2 · 255 · 127 exceeds 32,767, while 2 · 255 · 63 does not. ONNX Runtime's own
 * quantization tools call this "reduce range" and advise it for such machines. Measured on an
 * AVX2 core with 8 bits, the tiny K-matrix model's first-step probabilities moved 11–12% (relative
 * RMS) from float32; with 7 bits 0.3–1.1% (docs/engine.md, "int8 options").
 *
 * <p>VNNI is read from /proc/cpuinfo's flags ({@code avx512_vnni} or {@code avx_vnni}); where it
 * cannot be read on x86, 7 bits, the choice that cannot saturate. AArch64's int8 dot products do
 * not saturate: 8 bits. The system property {@code kaleido.int8.weightBits} (7 or 8) overrides it.
 */
public final class Int8Range {
    /** The largest magnitude of an int8 weight: 127 with 8 bits, 63 with 7. */
    public static final int WEIGHT_MAX = (1 << (weightBits() - 1)) - 1;

    private Int8Range() {}

    static int weightBits() {
        String forced = System.getProperty("kaleido.int8.weightBits", "").trim();
        if (!forced.isEmpty()) {
            return switch (forced) {
                case "7" -> 7;
                case "8" -> 8;
                default -> throw new IllegalArgumentException(
                        "kaleido.int8.weightBits must be 7 or 8, got '" + forced + "'");
            };
        }
        String arch = System.getProperty("os.arch", "");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        return !x86 || hasVnni(CpuInfo.PROC_CPUINFO) ? 8 : 7;
    }

    /** Whether a cpuinfo file lists an x86 VNNI extension among its flags; false when unreadable. */
    static boolean hasVnni(Path cpuinfo) {
        Set<String> flags = CpuInfo.of(cpuinfo).flags();
        return flags.contains("avx512_vnni") || flags.contains("avx_vnni");
    }
}
