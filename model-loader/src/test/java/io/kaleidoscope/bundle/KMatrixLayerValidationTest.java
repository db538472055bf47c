package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kmatrix_layers} entries that would run silently wrong are refused (D6): sizes that
 * disagree with the architecture, a layer listed twice, tensors that are not the layer's own.
 */
class KMatrixLayerValidationTest {
    @TempDir
    Path temp;

    private DamagedBundle kmatrix() throws IOException {
        return DamagedBundle.of(TestBundles.TINY_KMATRIX, temp.resolve("bundle"));
    }

    private static ObjectNode layer(DamagedBundle b, int i) {
        return (ObjectNode) b.manifest().withArray("kmatrix_layers").get(i);
    }

    private static void assertRefused(DamagedBundle b, String problem) throws IOException {
        b.save();
        BundleException e = b.refused();
        assertEquals("model bundle " + b.dir + ": manifest.json: " + problem, e.getMessage());
    }

    @Test
    void inFeaturesDisagreeingWithTheArchitectureAreRefused() throws IOException {
        DamagedBundle b = kmatrix();
        layer(b, 0).put("in_features", 64);
        assertRefused(b, "kmatrix_layers[0] 'decoder.layers.0.linear1': in_features 64, out_features 128, but a linear1 is"
                + " 128 → 128 (d_model 128, ffn_dim 256)");
    }

    @Test
    void fc1SizedAsLinear1IsRefused() throws IOException {
        DamagedBundle b = kmatrix();
        layer(b, 2).put("out_features", 128);
        assertRefused(b, "kmatrix_layers[2] 'decoder.layers.0.fc1': in_features 128, out_features 128, but a fc1 is"
                + " 128 → 256 (d_model 128, ffn_dim 256)");
    }

    @Test
    void layerListedTwiceIsRefused() throws IOException {
        DamagedBundle b = kmatrix();
        ArrayNode layers = b.manifest().withArray("kmatrix_layers");
        layers.add(layer(b, 0).deepCopy().put("twiddle", layer(b, 4).get("twiddle").asText()));
        assertRefused(b, "kmatrix_layers[8] 'decoder.layers.0.linear1': listed twice");
    }

    @Test
    void borrowedTwiddleIsRefused() throws IOException {
        DamagedBundle b = kmatrix();
        layer(b, 0).put("twiddle", layer(b, 4).get("twiddle").asText());
        assertRefused(b, "kmatrix_layers[0] 'decoder.layers.0.linear1': twiddle is 'decoder.layers.1.linear1.twiddle',"
                + " expected the canonical 'decoder.layers.0.linear1.twiddle'");
    }

    @Test
    void missingBiasIsRefused() throws IOException {
        DamagedBundle b = kmatrix();
        layer(b, 0).putNull("bias");
        assertRefused(b, "kmatrix_layers[0] 'decoder.layers.0.linear1': bias is missing, expected the canonical"
                + " 'decoder.layers.0.linear1.bias'");
    }

    @Test
    void missingLayerIsRefused() throws IOException {
        DamagedBundle b = kmatrix();
        b.manifest().withArray("kmatrix_layers").remove(3);
        assertRefused(b, "K-matrix bundle lacks kmatrix_layers entry 'decoder.layers.0.fc2'");
    }
}
