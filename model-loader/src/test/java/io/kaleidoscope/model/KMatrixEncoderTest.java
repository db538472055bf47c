package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kmatrix-encoder} variant (docs/bundle-format.md §13), beyond the golden parity that
 * GoldenParityTest checks for it: its encoder runs in pieces around the kernel, which has no int8
 * form, and a missing encoder K-matrix layer is refused by name.
 */
class KMatrixEncoderTest {
    private static final Path BUNDLE = TestBundles.TINY_KMATRIX_ENCODER;

    @Test
    void theVariantHasAKMatrixDecoderAndEncoder() {
        Bundle bundle = Bundle.open(BUNDLE);
        assertTrue(bundle.manifest().isKMatrix());
        assertTrue(bundle.manifest().hasKMatrixEncoder());
        assertFalse(bundle.hasGraph("encoder"));
        assertFalse(Bundle.open(TestBundles.TINY_KMATRIX).manifest().hasKMatrixEncoder());
        long encoderLayers = bundle.manifest().kmatrixLayers().stream().filter(l -> l.name().startsWith("encoder.")).count();
        assertEquals(4L * bundle.manifest().architecture().encoderLayers(), encoderLayers);
    }

    @Test
    void theInt8EncoderIsRefused() {
        EnginePaths paths = EnginePaths.AUTO.withEncoder(Precision.INT8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Translator.load(BUNDLE, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, paths));
        assertTrue(e.getMessage().contains("K-matrix encoder linears") && e.getMessage().contains("no int8 encoder"),
                e.getMessage());
    }

    @Test
    void aMissingEncoderKMatrixLayerIsNamed(@TempDir Path dir) throws Exception {
        Path copy = TestBundles.copy(BUNDLE, dir.resolve("bundle"));
        ObjectMapper json = new ObjectMapper();
        Path manifestFile = copy.resolve("manifest.json");
        ObjectNode manifest = (ObjectNode) json.readTree(manifestFile.toFile());
        ArrayNode layers = (ArrayNode) manifest.get("kmatrix_layers");
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i).get("name").asText().equals("encoder.layers.1.fc2")) {
                layers.remove(i);
            }
        }
        json.writeValue(manifestFile.toFile(), manifest);
        BundleException e = assertThrows(BundleException.class, () -> Translator.load(copy).close());
        assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("encoder.layers.1.fc2"), e.getMessage());
        assertTrue(Files.exists(copy.resolve("encoder_kv.onnx")));
    }
}
