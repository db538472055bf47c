package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every setting {@link ServerConfig} reads is in docs/configuration.md, under both its property
 * and its variable name, so a new limit cannot ship undocumented. The settings are found by
 * watching which keys {@code ServerConfig.from} asks for, not from a list kept by hand.
 */
class ConfigurationDocTest {
    @Test
    void everyServerSettingIsDocumentedUnderBothNames() throws Exception {
        Set<String> properties = new TreeSet<>();
        Set<String> variables = new TreeSet<>();
        ServerConfig.from(recording(properties), recording(variables));

        // The shape of the lookup: one property and one variable per setting, kaleido.config included.
        assertTrue(properties.contains("kaleido.config") && properties.contains("kaleido.maxQueueWaitMs"), properties.toString());
        assertTrue(variables.contains("KALEIDO_MAX_QUEUE_WAIT_MS"), variables.toString());
        assertEquals(properties.size(), variables.size(), properties + " vs " + variables);

        String doc = Files.readString(DeployConfigTest.repositoryRoot().resolve("docs/configuration.md"));
        List<String> missing = new java.util.ArrayList<>();
        for (String name : properties) {
            if (!doc.contains("`" + name + "`")) {
                missing.add(name);
            }
        }
        for (String name : variables) {
            if (!doc.contains("`" + name + "`")) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "settings missing from docs/configuration.md");
    }

    /** An empty map that notes every key looked up in it. */
    private static Map<String, String> recording(Set<String> asked) {
        return new HashMap<>() {
            @Override
            public String get(Object key) {
                asked.add((String) key);
                return null;
            }

            @Override
            public String getOrDefault(Object key, String fallback) {
                asked.add((String) key);
                return fallback;
            }
        };
    }
}
