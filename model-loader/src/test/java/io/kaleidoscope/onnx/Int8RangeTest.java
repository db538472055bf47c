package io.kaleidoscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which int8 weight range a machine gets: VNNI read from cpuinfo's flags, and the override. */
class Int8RangeTest {
    private static final String PROPERTY = "kaleido.int8.weightBits";

    @Test
    void vnniIsFoundAmongTheFlagsOnly(@TempDir Path dir) throws Exception {
        assertTrue(Int8Range.hasVnni(cpuinfo(dir, "fpu avx2 avx512f avx512_vnni sha_ni")));
        assertTrue(Int8Range.hasVnni(cpuinfo(dir, "fpu avx2 avx_vnni")));
        assertFalse(Int8Range.hasVnni(cpuinfo(dir, "fpu avx avx2 f16c fma")));
        assertFalse(Int8Range.hasVnni(cpuinfo(dir, "fpu avx2 avx512_vnnix")), "a flag is a whole word");
        assertFalse(Int8Range.hasVnni(dir.resolve("missing")), "unreadable: no VNNI assumed");
    }

    @Test
    void thePropertyOverridesTheGuessAndIsChecked() {
        String before = System.getProperty(PROPERTY);
        try {
            System.setProperty(PROPERTY, "7");
            assertEquals(7, Int8Range.weightBits());
            System.setProperty(PROPERTY, "8");
            assertEquals(8, Int8Range.weightBits());
            System.setProperty(PROPERTY, "6");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Int8Range::weightBits);
            assertEquals("kaleido.int8.weightBits must be 7 or 8, got '6'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }

    private static Path cpuinfo(Path dir, String flags) throws Exception {
        Path file = Files.createTempFile(dir, "cpuinfo", "");
        Files.writeString(file, "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: " + flags + "\nbugs\t\t: sysret_ss_attrs\n");
        return file;
    }
}
