package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A damaged bundle is refused at load with a message naming the file and the problem; the
 * original stays loadable.
 */
class BundleFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Path copy() throws IOException {
        return TestBundles.copy(TestBundles.TINY_KMATRIX, temp.resolve("bundle"));
    }

    private static String shard(Path bundle) throws IOException {
        return JSON.readTree(bundle.resolve("manifest.json").toFile()).get("weights").get("shards").get(0).asText();
    }

    private static BundleException refused(Path bundle) {
        return assertThrows(BundleException.class, () -> Bundle.open(bundle));
    }

    @Test
    void intactBundleLoads() throws IOException {
        Bundle bundle = Bundle.open(copy());
        assertEquals("kmatrix", bundle.manifest().variant());
        assertTrue(bundle.weights().all().containsKey("embed_tokens.weight"));
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path b = copy();
        Files.delete(b.resolve("decoder_output.onnx"));
        BundleException e = refused(b);
        assertEquals("decoder_output.onnx", e.file());
        assertTrue(e.getMessage().endsWith("decoder_output.onnx: missing"), e.getMessage());
    }

    @Test
    void flippedByteFailsTheChecksum() throws IOException {
        Path b = copy();
        Path shard = b.resolve(shard(b));
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(shard, bytes);
        BundleException e = refused(b);
        assertEquals(shard(b), e.file());
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void truncatedShardFailsTheSize() throws IOException {
        Path b = copy();
        Path shard = b.resolve(shard(b));
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        BundleException e = refused(b);
        assertTrue(e.getMessage().contains(shard(b) + ": size " + (bytes.length - 100) + " bytes"), e.getMessage());
    }

    @Test
    void unknownFormatVersionIsRefused() throws IOException {
        Path b = copy();
        ObjectNode manifest = (ObjectNode) JSON.readTree(b.resolve("manifest.json").toFile());
        manifest.put("format_version", 2);
        JSON.writeValue(b.resolve("manifest.json").toFile(), manifest);
        BundleException e = refused(b);
        assertTrue(e.getMessage().contains("manifest.json: format_version 2 is not supported"), e.getMessage());
    }

    @Test
    void wrongShapeIsRefused() throws IOException {
        Path b = copy();
        ObjectNode manifest = (ObjectNode) JSON.readTree(b.resolve("manifest.json").toFile());
        ArrayNode shape = (ArrayNode) manifest.get("weights").get("tensors").get("embed_tokens.weight").get("shape");
        shape.set(0, shape.get(0).asInt() + 1);
        JSON.writeValue(b.resolve("manifest.json").toFile(), manifest);
        BundleException e = refused(b);
        assertTrue(e.getMessage().contains("tensor 'embed_tokens.weight' has shape"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sentencepiece.model", "shortlist.safetensors"})
    void unlistedFileIsRefused(String unlisted) throws IOException {
        Path b = copy();
        ObjectNode manifest = (ObjectNode) JSON.readTree(b.resolve("manifest.json").toFile());
        ArrayNode files = (ArrayNode) manifest.get("files");
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).get("path").asText().equals(unlisted)) {
                files.remove(i);
                break;
            }
        }
        JSON.writeValue(b.resolve("manifest.json").toFile(), manifest);
        BundleException e = refused(b);
        assertTrue(e.getMessage().contains(unlisted + ": used by the manifest but not in its checksummed file list"),
                e.getMessage());
    }

    @Test
    void malformedManifestAndMissingDirectoryAreRefused() throws IOException {
        Path b = copy();
        Files.writeString(b.resolve("manifest.json"), "{ not json");
        assertTrue(refused(b).getMessage().contains("manifest.json: not a valid manifest"));
        assertEquals(".", refused(temp.resolve("nowhere")).file());
    }

    @Test
    void corruptSafetensorsHeaderIsNamed() throws IOException {
        Path file = temp.resolve("bad.safetensors");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
        BundleException e = assertThrows(BundleException.class, () -> SafetensorsFile.read(temp, "bad.safetensors"));
        assertTrue(e.getMessage().contains("bad.safetensors: header length"), e.getMessage());
    }
}
