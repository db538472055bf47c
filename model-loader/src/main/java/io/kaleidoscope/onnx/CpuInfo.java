package io.kaleidoscope.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What Linux's {@code /proc/cpuinfo} says about the first CPU: its model name and its
 * instruction-set flags. The engine reads the flags to choose ONNX Runtime's int8 range
 * ({@link Int8Range}); benchmark reports name the machine with both.
 *
 * @param modelName the first {@code model name} line's value, empty where there is none
 * @param flags the first {@code flags} line's words; empty where the file has none or cannot be read
 */
public record CpuInfo(Optional<String> modelName, Set<String> flags) {
    /** Where Linux lists it. */
    public static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

    /** This machine's, from {@link #PROC_CPUINFO}; empty elsewhere. */
    public static CpuInfo local() {
        return of(PROC_CPUINFO);
    }

    /** A cpuinfo file's first model name and flags; empty when the file cannot be read (not Linux). */
    public static CpuInfo of(Path cpuinfo) {
        try {
            var lines = Files.readAllLines(cpuinfo);
            Optional<String> flags = firstValue(lines, "flags");
            return new CpuInfo(firstValue(lines, "model name"),
                    flags.map(f -> Arrays.stream(f.split("\\s+")).filter(w -> !w.isEmpty()).collect(Collectors.toUnmodifiableSet()))
                            .orElse(Set.of()));
        } catch (IOException | RuntimeException e) {
            return new CpuInfo(Optional.empty(), Set.of());
        }
    }

    private static Optional<String> firstValue(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return Optional.of(line.substring(colon + 1).trim());
            }
        }
        return Optional.empty();
    }
}
