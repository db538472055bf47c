package io.kaleidoscope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code kaleido.*} system property the engine's sources read is in docs/configuration.md,
 * so an engine option cannot ship undocumented. The properties are found in the sources (calls of
 * {@code System.getProperty}, {@code Integer.getInteger} and {@code EnginePaths.fromProperty}).
 */
class EnginePropertiesDocTest {
    private static final Pattern READ = Pattern.compile(
            "(?:getProperty|getInteger|fromProperty)\\(\"(kaleido\\.[A-Za-z0-9.]+)\"");

    @Test
    void everyEnginePropertyIsDocumented() throws Exception {
        Path module = Path.of("").toAbsolutePath();
        Set<String> read = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(module.resolve("src/main/java"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = READ.matcher(Files.readString(source));
                while (m.find()) {
                    read.add(m.group(1));
                }
            }
        }
        // The scan must find the options it is known to read, or it proves nothing.
        assertTrue(read.containsAll(Set.of("kaleido.encoder", "kaleido.maxSentenceChars", "kaleido.kernel.vectorBits",
                "kaleido.ortProfile")), read.toString());

        String doc = Files.readString(module.getParent().resolve("docs/configuration.md"));
        List<String> missing = new ArrayList<>();
        for (String name : read) {
            if (!doc.contains("`" + name + "`")) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "engine properties missing from docs/configuration.md");
    }
}
