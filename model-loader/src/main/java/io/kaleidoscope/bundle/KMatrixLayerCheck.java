package io.kaleidoscope.bundle;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifest's {@code kmatrix_layers} (docs/bundle-format.md §2, §5, §13). The kernel takes a
 * layer's sizes and tensors from its entry, so an entry that disagrees with the architecture
 * would run silently wrong: {@code in_features: 64} in a d = 128 model reads half the input; a
 * second entry of the same name, or a twiddle borrowed from another layer, swaps weights between
 * layers. Each entry must therefore be one of the variant's K-matrix linears, once, sized as its
 * kind is (linear1, linear2: d → d; fc1: d → F; fc2: F → d), with the canonical tensors
 * {@code <name>.twiddle} and {@code <name>.bias}.
 */
final class KMatrixLayerCheck {
    private static final Pattern NAME = Pattern.compile("(encoder|decoder)\\.layers\\.(\\d{1,4})\\.(linear1|linear2|fc1|fc2)");
    private static final List<String> LINEARS = List.of("linear1", "linear2", "fc1", "fc2");

    private KMatrixLayerCheck() {}

    static void check(Path bundle, Manifest manifest) {
        List<Manifest.KMatrixLayerSpec> layers = manifest.kmatrixLayers();
        if (!manifest.isKMatrix()) {
            if (layers != null && !layers.isEmpty()) {
                throw refused(bundle, "kmatrix_layers lists %d layers, but variant '%s' has none (a K-matrix bundle mislabelled?)"
                        .formatted(layers.size(), manifest.variant()));
            }
            return;
        }
        if (layers == null || layers.isEmpty()) {
            throw refused(bundle, "kmatrix_layers is missing or empty, but variant '" + manifest.variant() + "' needs it");
        }
        Manifest.Architecture a = manifest.architecture();
        Map<String, Manifest.TensorEntry> tensors = manifest.weights().tensors();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < layers.size(); i++) {
            Manifest.KMatrixLayerSpec spec = layers.get(i);
            String field = "kmatrix_layers[" + i + "]";
            if (spec == null || spec.name() == null) {
                throw refused(bundle, field + (spec == null ? " is null" : ".name is missing"));
            }
            field += " '" + spec.name() + "'";
            Matcher m = NAME.matcher(spec.name());
            if (!m.matches()) {
                throw refused(bundle, field + ": not the name of a K-matrix linear (encoder|decoder.layers.L.linear1|linear2|fc1|fc2)");
            }
            if (!names.add(spec.name())) {
                throw refused(bundle, field + ": listed twice");
            }
            boolean encoder = m.group(1).equals("encoder");
            int layer = Integer.parseInt(m.group(2));
            int count = encoder ? a.encoderLayers() : a.decoderLayers();
            if (encoder && !manifest.hasKMatrixEncoder()) {
                throw refused(bundle, field + ": an encoder layer, but variant '" + manifest.variant() + "' has a dense encoder");
            }
            if (layer >= count) {
                throw refused(bundle, "%s: layer %d, but architecture.%s_layers is %d".formatted(field, layer, m.group(1), count));
            }
            int[] inOut = switch (m.group(3)) {
                case "fc1" -> new int[] {a.dModel(), a.ffnDim()};
                case "fc2" -> new int[] {a.ffnDim(), a.dModel()};
                default -> new int[] {a.dModel(), a.dModel()};
            };
            if (spec.inFeatures() != inOut[0] || spec.outFeatures() != inOut[1]) {
                throw refused(bundle, "%s: in_features %d, out_features %d, but a %s is %d → %d (d_model %d, ffn_dim %d)"
                        .formatted(field, spec.inFeatures(), spec.outFeatures(), m.group(3), inOut[0], inOut[1], a.dModel(), a.ffnDim()));
            }
            canonical(bundle, field, "twiddle", spec.twiddle(), spec.name() + ".twiddle", tensors);
            canonical(bundle, field, "bias", spec.bias(), spec.name() + ".bias", tensors);
            long[] bias = tensors.get(spec.bias()).shape();
            if (!Arrays.equals(bias, new long[] {spec.outFeatures()})) {
                throw refused(bundle, "%s: bias '%s' has shape %s, expected [%d]".formatted(field, spec.bias(),
                        Arrays.toString(bias), spec.outFeatures()));
            }
            long[] twiddle = tensors.get(spec.twiddle()).shape();
            if (spec.twiddleShape() != null && !Arrays.equals(twiddle, spec.twiddleShape())) {
                throw refused(bundle, "%s: twiddle '%s' has shape %s, twiddle_shape says %s".formatted(field, spec.twiddle(),
                        Arrays.toString(twiddle), Arrays.toString(spec.twiddleShape())));
            }
        }
        for (String part : manifest.hasKMatrixEncoder() ? List.of("encoder", "decoder") : List.of("decoder")) {
            int count = part.equals("encoder") ? a.encoderLayers() : a.decoderLayers();
            for (int l = 0; l < count; l++) {
                for (String linear : LINEARS) {
                    String name = part + ".layers." + l + "." + linear;
                    if (!names.contains(name)) {
                        throw refused(bundle, "K-matrix bundle lacks kmatrix_layers entry '" + name + "'");
                    }
                }
            }
        }
    }

    private static void canonical(Path bundle, String field, String key, String actual, String expected,
                                  Map<String, Manifest.TensorEntry> tensors) {
        if (!expected.equals(actual)) {
            throw refused(bundle, "%s: %s is %s, expected the canonical '%s'".formatted(field, key,
                    actual == null ? "missing" : "'" + actual + "'", expected));
        }
        if (!tensors.containsKey(actual)) {
            throw refused(bundle, "%s: %s '%s' is not in weights.tensors".formatted(field, key, actual));
        }
    }

    private static BundleException refused(Path bundle, String problem) {
        return new BundleException(bundle, "manifest.json", problem);
    }
}
