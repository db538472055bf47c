package io.kaleidoscope.bundle;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The architecture's sizes against the weight index's canonical tensors (docs/bundle-format.md §3),
 * whose shapes {@link WeightStore} then holds the shards to. The engine sizes its buffers and
 * tensors from the architecture and the graphs from the weights; where the two disagree a model
 * would fail at its first step (vocab_size 1000 with a 2000-row embedding) or run wrong, so:
 * {@code embed_tokens.weight} is (V, d); every layer's {@code conv.weight_linear.weight} is
 * (H·K_l, d), which ties heads and kernels to the weights; every layer's {@code fc1.bias} is (F);
 * and tensors exist for exactly the layers the architecture counts.
 */
final class ShapeCheck {
    private static final Pattern LAYER = Pattern.compile("(encoder|decoder)\\.layers\\.(\\d+)\\..*");
    static final String EMBEDDING = "embed_tokens.weight";

    private ShapeCheck() {}

    static void check(Path bundle, Manifest manifest) {
        Manifest.Architecture a = manifest.architecture();
        Map<String, Manifest.TensorEntry> tensors = manifest.weights().tensors();
        expect(bundle, tensors, EMBEDDING, new long[] {a.vocabSize(), a.dModel()}, "(architecture.vocab_size, d_model)");
        layers(bundle, tensors, "encoder", a.encoderLayers(), a.encoderKernels(), a);
        layers(bundle, tensors, "decoder", a.decoderLayers(), a.decoderKernels(), a);
        for (String name : tensors.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                int count = m.group(1).equals("encoder") ? a.encoderLayers() : a.decoderLayers();
                if (m.group(2).length() > 4 || Integer.parseInt(m.group(2)) >= count) {
                    throw new BundleException(bundle, "manifest.json", "weights.tensors has '%s', but architecture.%s_layers is %d"
                            .formatted(name, m.group(1), count));
                }
            }
        }
    }

    private static void layers(Path bundle, Map<String, Manifest.TensorEntry> tensors, String part, int count,
                               int[] kernels, Manifest.Architecture a) {
        for (int l = 0; l < count; l++) {
            String prefix = part + ".layers." + l + ".";
            expect(bundle, tensors, prefix + "conv.weight_linear.weight", new long[] {(long) a.heads() * kernels[l], a.dModel()},
                    "(architecture.heads × %s_kernels[%d], d_model)".formatted(part, l));
            expect(bundle, tensors, prefix + "fc1.bias", new long[] {a.ffnDim()}, "(architecture.ffn_dim)");
        }
    }

    private static void expect(Path bundle, Map<String, Manifest.TensorEntry> tensors, String name, long[] shape, String what) {
        Manifest.TensorEntry entry = tensors.get(name);
        if (entry == null) {
            throw new BundleException(bundle, "manifest.json", "weights.tensors lacks '" + name + "'");
        }
        if (!Arrays.equals(entry.shape(), shape)) {
            throw new BundleException(bundle, "manifest.json", "weights.tensors['%s'] has shape %s, the architecture says %s = %s"
                    .formatted(name, Arrays.toString(entry.shape()), what, Arrays.toString(shape)));
        }
    }
}
