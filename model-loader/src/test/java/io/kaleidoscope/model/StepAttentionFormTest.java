package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.BundleException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bundles whose step graphs take the encoder's keys, values and bias per row (exported before the
 * engine held them once per sentence; docs/bundle-format.md §6, {@code onnx.step_attention}) are
 * refused at load with the way to re-export them, instead of failing, or silently broadcasting one
 * sentence's keys, at the first step. That the per-sentence graphs decode exactly as the model
 * does is {@code GoldenParityTest}'s part.
 */
class StepAttentionFormTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny-dense", "tiny-kmatrix"})
    void aBundleWithoutPerSentenceStepAttentionIsRefused(String name, @TempDir Path dir) throws Exception {
        Path old = TestBundles.copy(TestBundles.MODELS.resolve(name), dir.resolve("old"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(old.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("onnx")).remove("step_attention");
        json.writeValue(old.resolve("manifest.json").toFile(), manifest);

        BundleException e = assertThrows(BundleException.class, () -> Translator.load(old).close());
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
        assertTrue(e.getMessage().contains("its decoder step graphs take the encoder's keys and values per row, not per"
                + " sentence as this engine keeps them (onnx.step_attention, docs/bundle-format.md §6); re-export its"
                + " graphs with python3 -m training.regraph --bundle "), e.getMessage());
    }
}
