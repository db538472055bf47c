package io.kaleidoscope.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kaleidoscope.onnx.CpuInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {
    @Test
    void readsTheFirstModelName(@TempDir Path dir) throws Exception {
        Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"), """
                processor\t: 0
                vendor_id\t: AuthenticAMD
                model name\t: AMD EPYC 9654 96-Core Processor
                flags\t\t: fpu avx2 avx512f

                processor\t: 1
                model name\t: Another Processor
                """);
        assertEquals("AMD EPYC 9654 96-Core Processor", Machine.cpuModel(CpuInfo.of(cpuinfo)));
    }

    @Test
    void namesTheVectorFlagsThatMatter(@TempDir Path dir) throws Exception {
        Path avx512 = Files.writeString(dir.resolve("a"),
                "model name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma f16c avx512f avx512dq avx512_vnni sha_ni\n");
        assertEquals("avx2 fma f16c avx512f avx512_vnni", Machine.vectorFlags(CpuInfo.of(avx512)));
        Path avx2 = Files.writeString(dir.resolve("b"), "model name\t: AMD EPYC\nflags\t\t: fpu avx avx2 fma f16c avx512fx\n");
        assertEquals("avx2 fma f16c", Machine.vectorFlags(CpuInfo.of(avx2)), "a flag is a whole word");
        Path none = Files.writeString(dir.resolve("c"), "flags\t\t: fp asimd evtstrm\n");
        assertEquals("none of avx2 fma f16c avx512f avx512_vnni avx_vnni", Machine.vectorFlags(CpuInfo.of(none)));
        assertEquals("flags unknown", Machine.vectorFlags(CpuInfo.of(dir.resolve("absent"))));
    }

    @Test
    void fallsBackToTheArchitecture(@TempDir Path dir) throws Exception {
        assertEquals(System.getProperty("os.arch"), Machine.cpuModel(CpuInfo.of(dir.resolve("absent"))));
        Path noModel = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nBogoMIPS\t: 50.00\n");
        assertEquals(System.getProperty("os.arch"), Machine.cpuModel(CpuInfo.of(noModel)));
    }
}
