package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.BundleException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bundles whose step graphs predate the conv rings (docs/bundle-format.md §6: they took and
 * returned the shifted window, {@code conv_state}) are refused at load with the way to re-export
 * them, instead of failing at the first step. That the rings decode exactly as the model does is
 * {@code GoldenParityTest}'s part (greedy and beam outputs equal to PyTorch's over steps that wrap
 * every ring around).
 */
class ConvRingTest {
    @ParameterizedTest
    @CsvSource({"tiny-dense, decoder_step, conv_ring_0", "tiny-kmatrix, decoder_layer0_conv, conv_ring"})
    void aBundleWithShiftedConvStatesIsRefused(String name, String graph, String ringInput, @TempDir Path dir)
            throws Exception {
        Path old = TestBundles.copy(TestBundles.MODELS.resolve(name), dir.resolve("old"));
        renameGraphInput(old, graph, ringInput, ringInput.replace("conv_ring", "conv_state"));
        BundleException e = assertThrows(BundleException.class, () -> Translator.load(old).close());
        assertTrue(e.getMessage().contains(graph + ".onnx"), e.getMessage());
        assertTrue(e.getMessage().contains("its decoder step takes conv states, not the conv ring this engine keeps (input '"
                + ringInput + "', docs/bundle-format.md §6); re-export its graphs with python3 -m training.regraph --bundle "),
                e.getMessage());
    }

    /** What an older export wrote into the manifest: the graph's input named as before the rings. */
    private static void renameGraphInput(Path bundle, String graph, String from, String to) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(bundle.resolve("manifest.json").toFile());
        ArrayNode inputs = (ArrayNode) manifest.get("onnx").get("graphs").get(graph).get("inputs");
        int renamed = 0;
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).asText().equals(from)) {
                inputs.set(i, TextNode.valueOf(to));
                renamed++;
            }
        }
        assertEquals(1, renamed);
        json.writeValue(bundle.resolve("manifest.json").toFile(), manifest);
    }
}
