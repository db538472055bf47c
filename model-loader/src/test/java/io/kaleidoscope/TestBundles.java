package io.kaleidoscope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.bundle.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Where the shipped bundles are: {@code models/} of the repository, seen from the model-loader
 * module (Surefire's working directory), or the folder named by {@code -Dkaleido.models=DIR}.
 */
public final class TestBundles {
    public static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();
    public static final Path TINY_DENSE = MODELS.resolve("tiny-dense");
    public static final Path TINY_KMATRIX = MODELS.resolve("tiny-kmatrix");
    /** The named variant whose encoder linears are K-matrices too (DESIGN.md §2). */
    public static final Path TINY_KMATRIX_ENCODER = MODELS.resolve("tiny-kmatrix-encoder");

    private TestBundles() {}

    /**
     * A copy of {@code bundle} at {@code target} whose tied embedding (the output projection) is
     * rounded to float16 values, still stored as F32, with the shard's checksum updated: a model
     * that the float16 output projection computes exactly, for comparing it with ONNX Runtime's
     * on the tiny float32 fixtures.
     */
    public static Path withFloat16Embedding(Path bundle, Path target) throws IOException {
        copy(bundle, target);
        ObjectMapper json = new ObjectMapper();
        Path manifestFile = target.resolve("manifest.json");
        ObjectNode manifest = (ObjectNode) json.readTree(manifestFile.toFile());
        String shard = manifest.get("weights").get("tensors").get("embed_tokens.weight").get("shard").asText();
        Path shardFile = target.resolve(shard);
        SafetensorsFile.TensorInfo info = SafetensorsFile.read(target, shard).info("embed_tokens.weight");
        if (!info.dtype().equals("F32")) {
            throw new IllegalArgumentException(bundle + ": the embedding is " + info.dtype() + ", not F32");
        }
        byte[] bytes = Files.readAllBytes(shardFile);
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dataStart = 8 + (int) data.getLong(0);
        for (int at = dataStart + info.begin(); at < dataStart + info.end(); at += 4) {
            data.putFloat(at, Float.float16ToFloat(Float.floatToFloat16(data.getFloat(at))));
        }
        Files.write(shardFile, bytes);
        for (JsonNode file : manifest.get("files")) {
            if (file.get("path").asText().equals(shard)) {
                ((ObjectNode) file).put("sha256", sha256(bytes));
            }
        }
        json.writeValue(manifestFile.toFile(), manifest);
        return target;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Removes the graphs whose names pass {@code names} from a bundle (a copy): their files,
     * checksums and graph entries, as in a bundle exported before they existed. Returns how many.
     */
    public static int withoutGraphs(Path bundle, Predicate<String> names) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(bundle.resolve("manifest.json").toFile());
        ObjectNode graphs = (ObjectNode) manifest.get("onnx").get("graphs");
        int removed = 0;
        for (Iterator<String> it = graphs.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (names.test(name)) {
                Files.delete(bundle.resolve(graphs.get(name).get("file").asText()));
                it.remove();
                removed++;
            }
        }
        ArrayNode files = (ArrayNode) manifest.get("files");
        for (int i = files.size() - 1; i >= 0; i--) {
            if (!Files.exists(bundle.resolve(files.get(i).get("path").asText()))) {
                files.remove(i);
            }
        }
        json.writeValue(bundle.resolve("manifest.json").toFile(), manifest);
        return removed;
    }

    /** A copy of {@code bundle} at {@code target} (a path that does not exist yet), for tests that damage it. */
    public static Path copy(Path bundle, Path target) throws IOException {
        Path original = bundle.toRealPath();
        try (Stream<Path> files = Files.walk(original)) {
            for (Path source : files.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(source, target.resolve(original.relativize(source).toString()));
            }
        }
        return target;
    }
}
