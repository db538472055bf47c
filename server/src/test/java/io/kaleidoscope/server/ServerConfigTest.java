package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where settings come from: -D property over environment over config file over default. */
class ServerConfigTest {
    @TempDir
    Path temp;

    @Test
    void propertiesBeatEnvironmentBeatFileBeatDefaults() throws Exception {
        Path file = temp.resolve("kaleido.properties");
        Files.writeString(file, "port=7000\nmaxChars=300\nmaxTexts=7\nmodels=a,b\napiKeys=k1, k2\n");
        ServerConfig c = ServerConfig.from(Map.of("kaleido.config", file.toString(), "kaleido.port", "9000"),
                Map.of("KALEIDO_PORT", "8000", "KALEIDO_MAX_CHARS", "400"));
        assertEquals(9000, c.port());
        assertEquals(400, c.maxChars());
        assertEquals(7, c.maxTexts());
        assertEquals(List.of(Path.of("a"), Path.of("b")), c.models());
        assertEquals(Set.of("k1", "k2"), c.apiKeys());
        assertEquals(30_000, c.deadlineMillis());
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.from(Map.of("kaleido.maxTexts", "many"), Map.of()));
        assertTrue(e.getMessage().contains("kaleido.maxTexts"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.from(Map.of("kaleido.beam", "0"), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.from(Map.of("kaleido.config", temp.resolve("missing.properties").toString()), Map.of()));
    }
}
