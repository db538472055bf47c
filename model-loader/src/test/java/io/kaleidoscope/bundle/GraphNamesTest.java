package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.onnx.OnnxGraph;
import io.kaleidoscope.onnx.OnnxWeights;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An ONNX graph file replaced by another valid graph of the bundle (checksum updated) is refused
 * when its session opens, by its input and output names (D9); every shipped graph's names are
 * those its manifest entry gives.
 */
class GraphNamesTest {
    @TempDir
    Path temp;

    @Test
    void graphReplacedByAnotherIsRefusedAtLoad() throws IOException {
        DamagedBundle b = DamagedBundle.of(TestBundles.TINY_DENSE, temp.resolve("bundle"));
        b.replace("decoder_step.onnx", b.read("decoder_step_hidden.onnx"));
        BundleException e = assertThrows(BundleException.class, () -> Translator.load(b.dir).close());
        assertEquals("decoder_step.onnx", e.file());
        assertEquals("model bundle " + b.dir + ": decoder_step.onnx: not the graph the manifest describes as 'decoder_step':"
                + " outputs lack [log_probs] add [x] (replaced by another graph?)", e.getMessage());
    }

    @Test
    void encoderReplacedByTheStepIsRefused() throws IOException {
        DamagedBundle b = DamagedBundle.of(TestBundles.TINY_KMATRIX, temp.resolve("bundle"));
        b.replace("decoder_output.onnx", b.read("decoder_embed.onnx"));
        BundleException e = assertThrows(BundleException.class, () -> Translator.load(b.dir).close());
        assertEquals("model bundle " + b.dir + ": decoder_output.onnx: not the graph the manifest describes as 'decoder_output':"
                + " inputs lack [x] add [step, tokens] outputs lack [log_probs] add [x] (replaced by another graph?)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-dense", "tiny-kmatrix", "tiny-kmatrix-encoder"})
    void everyShippedGraphHasItsDeclaredNames(String name) {
        Bundle bundle = Bundle.open(TestBundles.MODELS.resolve(name));
        try (OnnxWeights weights = new OnnxWeights(bundle.weights())) {
            for (String graph : bundle.manifest().onnx().graphs().keySet()) {
                OnnxGraph.open(bundle, graph, weights).close();
            }
        }
    }
}
