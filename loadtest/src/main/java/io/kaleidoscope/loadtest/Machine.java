package io.kaleidoscope.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The machine a benchmark ran on, as its report states it: this project's figures come from
 * more than one kind of machine (AVX-512 and AVX2-only), and a table without its machine cannot
 * be compared with another.
 */
public final class Machine {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    /**
     * The instruction-set flags that change this project's speeds: the vector width the kernels
     * get (a virtual machine's model name, "AMD EPYC", does not tell an AVX-512 host from an AVX2
     * one), fused multiply-add, the float16 conversions, and the int8 dot products ONNX Runtime uses.
     */
    private static final List<String> VECTOR_FLAGS = List.of("avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx_vnni");

    private Machine() {}

    /** The CPU's model and vector flags, the CPUs this JVM may use, and the JVM's version, for a report's header. */
    public static String describe() {
        return "%s (%s); CPUs visible to the JVM: %d; JVM %s".formatted(cpuModel(CPUINFO), vectorFlags(CPUINFO),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    }

    /** Which of {@link #VECTOR_FLAGS} the first {@code flags} line of a cpuinfo file has, or "flags unknown". */
    static String vectorFlags(Path cpuinfo) {
        String line = firstValue(cpuinfo, "flags");
        if (line == null) {
            return "flags unknown";
        }
        Set<String> flags = Arrays.stream(line.split("\\s+")).collect(Collectors.toSet());
        String present = VECTOR_FLAGS.stream().filter(flags::contains).collect(Collectors.joining(" "));
        return present.isEmpty() ? "none of " + String.join(" ", VECTOR_FLAGS) : present;
    }

    /** The first {@code model name} of a cpuinfo file; the JVM's {@code os.arch} where there is none. */
    static String cpuModel(Path cpuinfo) {
        String model = firstValue(cpuinfo, "model name");
        return model != null ? model : System.getProperty("os.arch");
    }

    /** The value of a cpuinfo file's first line with this key; null where there is none. */
    private static String firstValue(Path cpuinfo, String key) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or unreadable: the report still stands without it.
        }
        return null;
    }
}
