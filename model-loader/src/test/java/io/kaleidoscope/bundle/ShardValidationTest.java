package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights that a matching checksum cannot vouch for are refused at load, naming the file and the
 * problem: safetensors offsets that overlap, shift or leave bytes over, and a key given twice
 * (D2), a NaN or infinite weight (D3), a shape whose size overflows and an oversize shard (D8).
 */
class ShardValidationTest {
    private static final String SHARD = DamagedBundle.SHARD;

    @TempDir
    Path temp;

    private DamagedBundle dense() throws IOException {
        return DamagedBundle.of(TestBundles.TINY_DENSE, temp.resolve("bundle"));
    }

    // D2: the entries must tile the data exactly; names once; offsets integers.

    @Test
    void overlappingOffsetsAreRefused() throws IOException {
        DamagedBundle b = dense();
        DamagedBundle.Safetensors st = b.shard();
        ObjectNode bias = (ObjectNode) st.header().get("encoder.layers.0.conv_norm.bias");
        bias.set("data_offsets", st.header().get("encoder.layers.0.conv_norm.weight").get("data_offsets").deepCopy());
        b.replace(SHARD, st.bytes());
        BundleException e = b.refused();
        assertEquals(SHARD, e.file());
        assertEquals(true, e.getMessage().contains("tensors 'encoder.layers.0.conv_norm.weight' [") && e.getMessage().endsWith("overlap"),
                e.getMessage());
    }

    @Test
    void shiftedOffsetsAreRefused() throws IOException {
        DamagedBundle b = dense();
        DamagedBundle.Safetensors st = b.shard();
        ArrayNode offsets = (ArrayNode) st.header().get("embed_tokens.weight").get("data_offsets");
        assertEquals(0, offsets.get(0).asInt());
        offsets.set(0, 4).set(1, offsets.get(1).asInt() + 4);
        b.replace(SHARD, st.bytes());
        b.assertRefused(SHARD, "data bytes [0, 4) before 'embed_tokens.weight' belong to no tensor");
    }

    @Test
    void trailingBytesAreRefused() throws IOException {
        DamagedBundle b = dense();
        byte[] bytes = b.read(SHARD);
        b.replace(SHARD, Arrays.copyOf(bytes, bytes.length + 1));
        DamagedBundle.Safetensors st = DamagedBundle.Safetensors.parse(bytes);
        String last = "";
        int end = 0;
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = st.header().fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().has("data_offsets") && e.getValue().get("data_offsets").get(1).asInt() > end) {
                end = e.getValue().get("data_offsets").get(1).asInt();
                last = e.getKey();
            }
        }
        b.assertRefused(SHARD, "1 data bytes after the last tensor '%s' belong to no tensor (the data is %d bytes)"
                .formatted(last, st.data().length + 1));
    }

    @Test
    void duplicateHeaderKeyIsRefused() throws IOException {
        DamagedBundle b = dense();
        DamagedBundle.Safetensors st = b.shard();
        String header = DamagedBundle.JSON.writeValueAsString(st.header());
        String entry = DamagedBundle.JSON.writeValueAsString(st.header().get("encoder.layers.0.conv_norm.weight"));
        // The second entry for the bias (last wins in a lenient reader) points at the weight's bytes.
        String twice = header.substring(0, header.length() - 1) + ",\"encoder.layers.0.conv_norm.bias\":" + entry + "}";
        b.replace(SHARD, st.bytes(twice));
        BundleException e = b.refused();
        assertEquals(SHARD, e.file());
        assertEquals(true, e.getMessage().contains(SHARD + ": header is not valid JSON: Duplicate field 'encoder.layers.0.conv_norm.bias'"),
                e.getMessage());
    }

    @Test
    void nonIntegerOffsetsAreRefused() throws IOException {
        DamagedBundle b = dense();
        DamagedBundle.Safetensors st = b.shard();
        ObjectNode entry = (ObjectNode) st.header().get("embed_tokens.weight");
        entry.putArray("data_offsets").add("0").add(String.valueOf(2000 * 128 * 4));
        b.replace(SHARD, st.bytes());
        b.assertRefused(SHARD, "tensor 'embed_tokens.weight': data_offsets [\"0\",\"1024000\"] are not two non-negative integers");
    }

    // D3: no NaN or infinite weight.

    @Test
    void nanWeightIsRefused() throws IOException {
        DamagedBundle b = dense();
        DamagedBundle.Safetensors st = b.shard();
        int at = st.begin("decoder.layers.0.fc1.weight") + 4 * 5;
        ByteBuffer.wrap(st.data()).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, Float.NaN);
        b.replace(SHARD, st.bytes());
        b.assertRefused(SHARD, "tensor 'decoder.layers.0.fc1.weight' holds NaN at element 5: not a usable weight");
    }

    @Test
    void infiniteWeightIsRefused() throws IOException {
        DamagedBundle b = dense();
        DamagedBundle.Safetensors st = b.shard();
        ByteBuffer.wrap(st.data()).order(ByteOrder.LITTLE_ENDIAN).putFloat(st.begin("embed_tokens.weight") + 4 * 300, Float.NEGATIVE_INFINITY);
        b.replace(SHARD, st.bytes());
        b.assertRefused(SHARD, "tensor 'embed_tokens.weight' holds -Infinity at element 300: not a usable weight");
    }

    // D8: sizes that overflow, shards past the format's limit.

    @Test
    void overflowingShapeIsRefused() throws IOException {
        DamagedBundle b = dense();
        DamagedBundle.Safetensors st = b.shard();
        String name = "encoder.layers.0.conv_norm.bias";
        int begin = st.begin(name);
        ((ObjectNode) st.header().get(name)).putArray("shape").add(1L << 62).add(4);   // 2^64 elements: 0 when it wraps
        ((ObjectNode) st.header().get(name)).putArray("data_offsets").add(begin).add(begin);
        b.replace(SHARD, st.bytes());
        ((ObjectNode) b.at("weights.tensors").get(name)).putArray("shape").add(1L << 62).add(4);
        b.save();
        b.assertRefused(SHARD, "tensor '" + name + "': shape [4611686018427387904, 4] has more elements than a file can hold");
        assertThrows(ArithmeticException.class, () -> new SafetensorsFile.TensorInfo(name, "F32", new long[] {1L << 62, 4}, 0, 0).elements());
    }

    @Test
    void shardOverTheFormatLimitIsNotRead() throws IOException {
        DamagedBundle b = dense();
        long size = WeightStore.MAX_SHARD_BYTES + 1;
        try (var file = new java.io.RandomAccessFile(b.dir.resolve(SHARD).toFile(), "rw")) {
            file.setLength(size);   // sparse: a reader that tried would allocate it all
        }
        BundleException e = assertThrows(BundleException.class, () -> SafetensorsFile.read(b.dir, SHARD, WeightStore.MAX_SHARD_BYTES));
        assertEquals("model bundle " + b.dir + ": " + SHARD + ": " + size + " bytes, more than the 15728640 this file may have",
                e.getMessage());
    }
}
