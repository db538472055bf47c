package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #7: the real server process started on a damaged model bundle (a copy of tiny-kmatrix)
 * must stop at once with a non-zero exit and one line naming the damaged file and what is wrong
 * with it — never serve, never hang, never bury the cause in a stack trace.
 */
class StartupFaultTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();
    private static final Path BUNDLE = MODELS.resolve("tiny-kmatrix");
    private static final String SHARD = "weights-00001-of-00001.safetensors";
    private static final long EXIT_WITHIN_SECONDS = 60;

    @TempDir
    Path temp;

    private record Run(int exit, String output) {}

    private Path copy() throws IOException {
        Path copy = temp.resolve("tiny-kmatrix");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(BUNDLE)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    /** Starts Main with KALEIDO_MODELS=bundle on a free port; the process must exit on its own. */
    private Run start(Path bundle) throws Exception {
        return start(bundle, java.util.Map.of());
    }

    /** As {@link #start(Path)}, with more environment variables (overriding the port, say). */
    private Run start(Path bundle, java.util.Map<String, String> environment) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile(temp, "server", ".log");
        ProcessBuilder builder = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KALEIDO_MODELS", bundle.toString());
        builder.environment().put("KALEIDO_PORT", "0");
        builder.environment().remove("KALEIDO_CONFIG");
        builder.environment().putAll(environment);
        Process server = builder.start();
        try {
            boolean exited = server.waitFor(EXIT_WITHIN_SECONDS, TimeUnit.SECONDS);
            assertTrue(exited, "the server did not exit within " + EXIT_WITHIN_SECONDS + " s on a damaged bundle; output:\n"
                    + Files.readString(log));
            return new Run(server.exitValue(), Files.readString(log));
        } finally {
            server.destroyForcibly();
        }
    }

    /** Exit status non-zero, one "cannot start" line naming the file and the reason, no stack trace, never listening. */
    private static void assertRefused(Run run, String file, String... reason) {
        assertNotEquals(0, run.exit(), "exit status on a damaged bundle; output:\n" + run.output());
        String line = run.output().lines().filter(l -> l.contains("cannot start")).findFirst().orElse(null);
        assertTrue(line != null, "no 'cannot start' line in the output:\n" + run.output());
        assertTrue(line.contains(file), "the message does not name " + file + ": " + line);
        for (String r : reason) {
            assertTrue(line.contains(r), "the message does not say '" + r + "': " + line);
        }
        assertFalse(run.output().contains("listening on"), "the server started serving:\n" + run.output());
        assertFalse(run.output().contains("Exception in thread"), "a stack trace instead of a message:\n" + run.output());
        System.out.println("refused as expected: " + line);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void missingFile() throws Exception {
        Path bundle = copy();
        Files.delete(bundle.resolve("decoder_output.onnx"));
        assertRefused(start(bundle), "decoder_output.onnx", "missing");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void flippedByteInAShard() throws Exception {
        Path bundle = copy();
        try (RandomAccessFile f = new RandomAccessFile(bundle.resolve(SHARD).toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
        assertRefused(start(bundle), SHARD, "SHA-256");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void truncatedShard() throws Exception {
        Path bundle = copy();
        try (RandomAccessFile f = new RandomAccessFile(bundle.resolve(SHARD).toFile(), "rw")) {
            f.setLength(f.length() / 3);
        }
        assertRefused(start(bundle), SHARD, "truncated");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void wrongFormatVersion() throws Exception {
        Path bundle = copy();
        Path manifest = bundle.resolve("manifest.json");
        String json = Files.readString(manifest);
        String changed = json.replaceFirst("\"format_version\":\\s*1", "\"format_version\": 99");
        assertNotEquals(json, changed, "the test expects format_version 1 in the manifest");
        Files.writeString(manifest, changed);
        assertRefused(start(bundle), "manifest.json", "format_version 99");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void manifestThatIsNotJson() throws Exception {
        Path bundle = copy();
        Files.writeString(bundle.resolve("manifest.json"), "{\"format_version\": 1, \"name\": ");
        assertRefused(start(bundle), "manifest.json", "not a valid manifest");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bundlePathIsAFileNotADirectory() throws Exception {
        // Stands in for an unreadable directory: the tests run as root, for whom chmod 000 denies nothing.
        Path file = temp.resolve("not-a-bundle");
        Files.writeString(file, "just a file");
        assertRefused(start(file), file.toString(), "not a readable directory");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void missingBundleDirectory() throws Exception {
        Path absent = temp.resolve("no-such-bundle");
        assertRefused(start(absent), absent.toString(), "not a readable directory");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void unreadableDirectory() throws Exception {
        Path bundle = copy();
        Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("---------"));
        try {
            Assumptions.assumeFalse(Files.isReadable(bundle) && Files.isReadable(bundle.resolve("manifest.json")),
                    "running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not deny reads here, so this case cannot be"
                            + " made; bundlePathIsAFileNotADirectory covers the refusal of an unusable directory");
            assertRefused(start(bundle), bundle.toString(), "not a readable directory");
        } finally {
            Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void badSettingIsNamed() throws Exception {
        Run run = start(BUNDLE, java.util.Map.of("KALEIDO_MAX_CHARS", "lots"));
        assertRefused(run, "kaleido.maxChars", "must be an integer");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void portInUseIsNamed() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Run run = start(BUNDLE, java.util.Map.of("KALEIDO_PORT", String.valueOf(taken.getLocalPort())));
            assertRefused(run, String.valueOf(taken.getLocalPort()), "did not start");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void undamagedCopyStillServes() throws Exception {
        // The control: the same copy, undamaged, gets as far as listening (then is stopped).
        Path bundle = copy();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()).redirectErrorStream(true);
        builder.environment().put("KALEIDO_MODELS", bundle.toString());
        builder.environment().put("KALEIDO_PORT", "0");
        builder.environment().remove("KALEIDO_CONFIG");
        Process server = builder.start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean listening = false;
            while (!listening && (line = out.readLine()) != null) {
                listening = line.contains("listening on");
            }
            assertTrue(listening, "the undamaged copy did not start");
            server.destroy();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, server.exitValue());
        } finally {
            server.destroyForcibly();
        }
    }
}
