package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's two java command lines: the build stage's AOT training run and the ENTRYPOINT.
 * The JVM uses an AOT cache only with the options it was made with and otherwise ignores it
 * without failing; {@code deploy/container-smoke.sh} catches that, but it needs podman and CI does
 * not run it, so the options are compared here. The native libraries must load from the image, so
 * that a read-only container needs no executable {@code /tmp}.
 */
class DockerfileTest {
    private static final Path DOCKERFILE = DeployConfigTest.repositoryRoot().resolve("Dockerfile");
    private static final String CLASSPATH_ARGS = "@/opt/kaleido/classpath.args";

    @Test
    void theAotTrainingRunAndTheEntrypointPassTheSameJvmOptions() throws IOException {
        List<String> entrypoint = new ArrayList<>(entrypointOptions());
        assertTrue(entrypoint.removeIf(option -> option.startsWith("-XX:AOTCache=")), "the ENTRYPOINT uses no AOT cache");
        assertEquals(trainingRunOptions(), entrypoint);
    }

    @Test
    void nativeLibrariesLoadFromTheImage() throws IOException {
        List<String> options = entrypointOptions();
        assertTrue(options.contains("-Donnxruntime.native.path=/opt/kaleido/native"), options.toString());
        assertTrue(options.contains("-Djna.boot.library.path=/opt/kaleido/native"), options.toString());
        assertTrue(options.contains("-Djna.nounpack=true"), options.toString());
        assertTrue(options.contains("-DDJL_CACHE_DIR=/opt/kaleido/djl"), options.toString());
        assertFalse(options.stream().anyMatch(option -> option.startsWith("-D") && option.contains("=/tmp/")),
                "a native library cache under /tmp: " + options);
    }

    /** The ENTRYPOINT's JVM options: its exec-form array from after "java" up to the classpath. */
    private static List<String> entrypointOptions() throws IOException {
        String line = instruction("ENTRYPOINT ");
        String[] command = new ObjectMapper().readValue(line.substring("ENTRYPOINT ".length()), String[].class);
        assertEquals("java", command[0], line);
        return upToClasspath(Arrays.asList(command).subList(1, command.length));
    }

    /** The AOT training run's JVM options: from after the runtime's java up to the classpath. */
    private static List<String> trainingRunOptions() throws IOException {
        String run = instruction("RUN KALEIDO_MODELS=");
        List<String> words = Arrays.asList(run.trim().split("\\s+"));
        int java = words.indexOf("/opt/java/jre/bin/java");
        assertTrue(java > 0, "no /opt/java/jre/bin/java in: " + run);
        return upToClasspath(words.subList(java + 1, words.size()));
    }

    private static List<String> upToClasspath(List<String> words) {
        int classpath = words.indexOf(CLASSPATH_ARGS);
        assertTrue(classpath >= 0, "no " + CLASSPATH_ARGS + " in " + words);
        return words.subList(0, classpath);
    }

    /** The one instruction starting with {@code prefix}, its continuation lines joined. */
    private static String instruction(String prefix) throws IOException {
        List<String> found = new ArrayList<>();
        StringBuilder current = null;
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (current == null) {
                if (!line.startsWith(prefix)) {
                    continue;
                }
                current = new StringBuilder();
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                found.add(current.toString().trim());
                current = null;
            }
        }
        assertEquals(1, found.size(), "instructions starting with '" + prefix + "': " + found);
        return found.get(0);
    }
}
