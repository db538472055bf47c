package io.kaleidoscope.bundle;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor is read only from a shard the manifest checksums (D1): one of {@code weights.shards},
 * each a file of the bundle directory listed in {@code files} and within the format's size.
 */
class ShardReferenceTest {
    private static final String SHARD = DamagedBundle.SHARD;

    @TempDir
    Path temp;

    private DamagedBundle dense() throws IOException {
        return DamagedBundle.of(TestBundles.TINY_DENSE, temp.resolve("bundle"));
    }

    private static void setShard(DamagedBundle bundle, String shard) {
        for (Iterator<Map.Entry<String, JsonNode>> it = bundle.at("weights.tensors").fields(); it.hasNext(); ) {
            ((ObjectNode) it.next().getValue()).put("shard", shard);
        }
    }

    @Test
    void tensorShardOutsideWeightsShardsIsRefused() throws IOException {
        DamagedBundle b = dense();
        Files.copy(b.dir.resolve(SHARD), b.dir.resolve("evil.safetensors"));   // unlisted, unchecked
        setShard(b, "evil.safetensors");
        b.save();
        b.assertRefused("manifest.json", "weights.tensors['embed_tokens.weight'].shard 'evil.safetensors' is not one of"
                + " weights.shards [" + SHARD + "]");
    }

    @Test
    void shardOfAnotherBundleIsRefused() throws IOException {
        DamagedBundle b = dense();
        String other = "../../" + TestBundles.TINY_DENSE.getParent().getFileName() + "/tiny-dense/" + SHARD;
        String outside = TestBundles.TINY_DENSE.resolve(SHARD).toString();
        for (String shard : new String[] {"../elsewhere/" + SHARD, outside, other}) {
            setShard(b, shard);
            b.at("weights").putArray("shards").add(shard);
            b.save();
            b.assertRefused("manifest.json", "weights.shards[0] '" + shard + "' is not a file in the bundle directory");
        }
    }

    @Test
    void shardNotInTheFileListIsRefused() throws IOException {
        DamagedBundle b = dense();
        Files.copy(b.dir.resolve(SHARD), b.dir.resolve("evil.safetensors"));
        setShard(b, "evil.safetensors");
        b.at("weights").putArray("shards").add("evil.safetensors");
        b.save();
        b.assertRefused("evil.safetensors", "used by the manifest but not in its checksummed file list");
    }

    @Test
    void emptyShardListIsRefused() throws IOException {
        DamagedBundle b = dense();
        b.at("weights").putArray("shards");
        b.save();
        b.assertRefused("manifest.json", "weights.shards is empty, but weights.tensors lists 73 tensors");
    }

    @Test
    void shardDeclaredOverTheFormatLimitIsRefusedUnread() throws IOException {
        DamagedBundle b = dense();
        long size = WeightStore.MAX_SHARD_BYTES + 1;
        for (JsonNode f : b.manifest().withArray("files")) {
            if (f.get("path").asText().equals(SHARD)) {
                ((ObjectNode) f).put("size", size);
            }
        }
        b.save();
        b.assertRefused(SHARD, size + " bytes, more than the 15728640 (15 MiB) a weights shard may have");
    }
}
