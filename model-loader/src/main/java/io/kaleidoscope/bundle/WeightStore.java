package io.kaleidoscope.bundle;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every weight of a model, float32, once: the single store both ONNX Runtime (through
 * external initializers over the same direct buffers) and the K-matrix kernel read from.
 *
 * <p>Immutable after loading; the buffers must not be written. Shapes are checked against the
 * manifest's weight index, which is what the ONNX graphs and the kernel were built for.
 */
public final class WeightStore {
    /** One weight: its shape and its data, a direct native-order buffer. */
    public record Tensor(long[] shape, FloatBuffer data) {
        public int elements() {
            return data.capacity();
        }
    }

    /** A weights shard's largest size (docs/bundle-format.md §1: shards ≤ 15 MiB). */
    public static final long MAX_SHARD_BYTES = 15L << 20;

    private final Map<String, Tensor> tensors;

    private WeightStore(Map<String, Tensor> tensors) {
        this.tensors = tensors;
    }

    /**
     * Reads every tensor of the manifest's weight index from its shard (one of
     * {@code weights.shards}, which {@link WeightIndexCheck} has held to the bundle's checksummed
     * files), refusing a shard over {@link #MAX_SHARD_BYTES} unread and a NaN or infinite value.
     */
    static WeightStore load(Path bundle, Manifest manifest) {
        Manifest.WeightIndex index = manifest.weights();
        if (index == null || index.tensors() == null || index.tensors().isEmpty()) {
            throw new BundleException(bundle, "manifest.json", "no weights listed");
        }
        Map<String, SafetensorsFile> shards = new HashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Manifest.TensorEntry> e : index.tensors().entrySet()) {
            String name = e.getKey();
            Manifest.TensorEntry entry = e.getValue();
            SafetensorsFile shard = shards.computeIfAbsent(entry.shard(),
                    file -> SafetensorsFile.read(bundle, file, MAX_SHARD_BYTES));
            SafetensorsFile.TensorInfo info = shard.info(name);
            if (!Arrays.equals(info.shape(), entry.shape())) {
                throw new BundleException(bundle, entry.shard(), "tensor '%s' has shape %s, the manifest says %s"
                        .formatted(name, Arrays.toString(info.shape()), Arrays.toString(entry.shape())));
            }
            tensors.put(name, new Tensor(entry.shape(), shard.readFiniteFloats(name)));
        }
        return new WeightStore(Map.copyOf(tensors));
    }

    /** The tensor, or an exception naming it. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no weight named '" + name + "'");
        }
        return t;
    }

    /** A heap copy of a tensor's values, for code that computes on float[] (the kernel). */
    public float[] copyOf(String name) {
        Tensor t = get(name);
        float[] values = new float[t.elements()];
        t.data().get(0, values);
        return values;
    }

    public Map<String, Tensor> all() {
        return tensors;
    }
}
