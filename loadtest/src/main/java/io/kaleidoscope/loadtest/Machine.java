package io.kaleidoscope.loadtest;

import io.kaleidoscope.onnx.CpuInfo;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The machine a benchmark ran on, as its report states it: this project's figures come from
 * more than one kind of machine (AVX-512 and AVX2-only), and a table without its machine cannot
 * be compared with another.
 */
public final class Machine {
    /**
     * The instruction-set flags that change this project's speeds: the vector width the kernels
     * get (a virtual machine's model name, "AMD EPYC", does not tell an AVX-512 host from an AVX2
     * one), fused multiply-add, the float16 conversions, and the int8 dot products ONNX Runtime uses.
     */
    private static final List<String> VECTOR_FLAGS = List.of("avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx_vnni");

    private Machine() {}

    /** The CPU's model and vector flags, the CPUs this JVM may use, and the JVM's version, for a report's header. */
    public static String describe() {
        CpuInfo cpu = CpuInfo.local();
        return "%s (%s); CPUs visible to the JVM: %d; JVM %s".formatted(cpuModel(cpu), vectorFlags(cpu),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    }

    /** The CPU's model name; the JVM's {@code os.arch} where cpuinfo has none. */
    static String cpuModel(CpuInfo cpu) {
        return cpu.modelName().orElse(System.getProperty("os.arch"));
    }

    /** Which of {@link #VECTOR_FLAGS} the CPU has, or "flags unknown". */
    static String vectorFlags(CpuInfo cpu) {
        if (cpu.flags().isEmpty()) {
            return "flags unknown";
        }
        String present = VECTOR_FLAGS.stream().filter(cpu.flags()::contains).collect(Collectors.joining(" "));
        return present.isEmpty() ? "none of " + String.join(" ", VECTOR_FLAGS) : present;
    }
}
