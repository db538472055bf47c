package io.kaleidoscope.bundle;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The manifest's weight index ({@code weights}, docs/bundle-format.md §2, §3) against its file
 * list, before any shard is read. A tensor's {@code shard} is a path the loader opens, so it must
 * be one of {@code weights.shards}, and each of those a file of the bundle that {@code files}
 * checksums: otherwise a manifest could send the loader to another bundle's shard
 * ({@code ../other/…}), to an absolute path, or to an unchecked file next to the listed ones.
 */
final class WeightIndexCheck {
    private WeightIndexCheck() {}

    static void check(Path bundle, Manifest manifest) {
        Manifest.WeightIndex index = manifest.weights();
        if (index == null || index.tensors() == null || index.tensors().isEmpty()) {
            throw refused(bundle, "no weights listed");
        }
        if (!"float32".equals(index.dtype()) && !"float16".equals(index.dtype())) {
            throw refused(bundle, "weights.dtype " + (index.dtype() == null ? "is missing" : "'" + index.dtype() + "'")
                    + ", expected float32 or float16");
        }
        if (index.shards() == null || index.shards().isEmpty()) {
            throw refused(bundle, "weights.shards is empty, but weights.tensors lists " + index.tensors().size() + " tensors");
        }
        Map<String, Long> listedSizes = new HashMap<>();
        for (Manifest.FileEntry file : manifest.files()) {
            listedSizes.put(file.path(), file.size());
        }
        Path root = bundle.toAbsolutePath().normalize();
        Set<String> shards = new HashSet<>();
        for (int i = 0; i < index.shards().size(); i++) {
            String shard = index.shards().get(i);
            String field = "weights.shards[" + i + "]";
            if (shard == null || shard.isEmpty()) {
                throw refused(bundle, field + " is missing");
            }
            if (!shards.add(shard)) {
                throw refused(bundle, field + " '" + shard + "' is listed twice");
            }
            Path resolved = root.resolve(shard).normalize();
            if (Path.of(shard).isAbsolute() || !resolved.startsWith(root) || !resolved.getParent().equals(root)) {
                throw refused(bundle, field + " '" + shard + "' is not a file in the bundle directory");
            }
            Long size = listedSizes.get(shard);
            if (size == null) {
                throw new BundleException(bundle, shard, "used by the manifest but not in its checksummed file list");
            }
            if (size > WeightStore.MAX_SHARD_BYTES) {
                throw new BundleException(bundle, shard, "%d bytes, more than the %d (15 MiB) a weights shard may have"
                        .formatted(size, WeightStore.MAX_SHARD_BYTES));
            }
        }
        for (Map.Entry<String, Manifest.TensorEntry> e : index.tensors().entrySet()) {
            String field = "weights.tensors['" + e.getKey() + "']";
            Manifest.TensorEntry entry = e.getValue();
            if (entry == null) {
                throw refused(bundle, field + " is null");
            }
            if (entry.shard() == null) {
                throw refused(bundle, field + ".shard is missing");
            }
            if (!shards.contains(entry.shard())) {
                throw refused(bundle, field + ".shard '" + entry.shard() + "' is not one of weights.shards " + index.shards());
            }
            if (entry.shape() == null) {
                throw refused(bundle, field + ".shape is missing");
            }
        }
    }

    private static BundleException refused(Path bundle, String problem) {
        return new BundleException(bundle, "manifest.json", problem);
    }
}
