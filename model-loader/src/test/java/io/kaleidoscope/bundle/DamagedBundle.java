package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A copy of a shipped bundle to damage in a test: edit its manifest, replace a file with its size
 * and SHA-256 updated in the manifest (so that only the structural checks can catch the damage),
 * rewrite a safetensors header; then assert that {@link Bundle#open} refuses it.
 */
final class DamagedBundle {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SHARD = "weights-00001-of-00001.safetensors";

    final Path dir;
    private final ObjectNode manifest;

    private DamagedBundle(Path dir) throws IOException {
        this.dir = dir;
        this.manifest = (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
    }

    static DamagedBundle of(Path original, Path target) throws IOException {
        return new DamagedBundle(TestBundles.copy(original, target));
    }

    /** The manifest to edit; {@link #save} writes it. */
    ObjectNode manifest() {
        return manifest;
    }

    /** A node of the manifest by a dotted path ("architecture", "onnx.graphs.encoder"). */
    ObjectNode at(String path) {
        JsonNode node = manifest;
        for (String key : path.split("\\.")) {
            node = node.get(key);
        }
        return (ObjectNode) node;
    }

    DamagedBundle save() throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("manifest.json").toFile(), manifest);
        return this;
    }

    void writeManifestText(String text) throws IOException {
        Files.writeString(dir.resolve("manifest.json"), text);
    }

    /** Writes {@code file} and updates (or adds) its size and SHA-256 in the manifest, saved. */
    DamagedBundle replace(String file, byte[] bytes) throws IOException {
        Files.write(dir.resolve(file), bytes);
        ObjectNode entry = null;
        for (JsonNode f : manifest.withArray("files")) {
            if (f.get("path").asText().equals(file)) {
                entry = (ObjectNode) f;
            }
        }
        if (entry == null) {
            entry = manifest.withArray("files").addObject().put("path", file);
        }
        entry.put("size", bytes.length).put("sha256", Bundle.sha256(dir.resolve(file)));
        return save();
    }

    byte[] read(String file) throws IOException {
        return Files.readAllBytes(dir.resolve(file));
    }

    /** A safetensors file split into its header (editable) and data. */
    record Safetensors(ObjectNode header, byte[] data) {
        static Safetensors parse(byte[] bytes) throws IOException {
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            ObjectNode header = (ObjectNode) JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
            byte[] data = java.util.Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length);
            return new Safetensors(header, data);
        }

        byte[] bytes() throws IOException {
            return bytes(JSON.writeValueAsString(header));
        }

        /** With a header given as text (for what a JSON tree cannot hold, like a key given twice). */
        byte[] bytes(String headerText) throws IOException {
            byte[] h = headerText.getBytes(StandardCharsets.UTF_8);
            int padded = (h.length + 7) / 8 * 8;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(h);
            out.write(" ".repeat(padded - h.length).getBytes(StandardCharsets.UTF_8));
            out.write(data);
            return out.toByteArray();
        }

        /** The byte offset in {@link #data} where a tensor begins. */
        int begin(String tensor) {
            return header.get(tensor).get("data_offsets").get(0).asInt();
        }
    }

    Safetensors shard() throws IOException {
        return Safetensors.parse(read(SHARD));
    }

    BundleException refused() {
        return assertThrows(BundleException.class, () -> Bundle.open(dir));
    }

    /** Bundle.open refuses it with exactly "model bundle DIR: FILE: PROBLEM", the exception naming FILE. */
    void assertRefused(String file, String problem) {
        BundleException e = refused();
        assertEquals(file, e.file(), e.getMessage());
        assertEquals("model bundle " + dir + ": " + file + ": " + problem, e.getMessage());
    }
}
