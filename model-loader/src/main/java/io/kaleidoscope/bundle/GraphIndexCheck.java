package io.kaleidoscope.bundle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The manifest's ONNX graph index ({@code onnx.graphs}, docs/bundle-format.md §6, §10–§13):
 * every entry complete, every weight it takes in the weight index, and every graph the variant
 * runs present. A {@code kmatrix-encoder} bundle labelled {@code kmatrix} lacks {@code encoder};
 * a K-matrix bundle labelled {@code dense} lacks {@code decoder_step}: refused here, by name,
 * rather than when the engine first asks for the graph.
 */
final class GraphIndexCheck {
    private GraphIndexCheck() {}

    static void check(Path bundle, Manifest manifest) {
        Map<String, Manifest.GraphEntry> graphs = manifest.onnx().graphs();
        if (graphs == null || graphs.isEmpty()) {
            throw refused(bundle, "onnx.graphs is missing or empty");
        }
        Map<String, Manifest.TensorEntry> tensors = manifest.weights().tensors();
        for (Map.Entry<String, Manifest.GraphEntry> e : graphs.entrySet()) {
            String field = "onnx.graphs." + e.getKey();
            Manifest.GraphEntry graph = e.getValue();
            if (graph == null) {
                throw refused(bundle, field + " is null");
            }
            if (graph.file() == null || graph.file().isEmpty()) {
                throw refused(bundle, field + ".file is missing");
            }
            names(bundle, field + ".inputs", graph.inputs(), false);
            names(bundle, field + ".outputs", graph.outputs(), false);
            names(bundle, field + ".weights", graph.weights(), true);
            if (graph.quantized() != null) {
                names(bundle, field + ".quantized", graph.quantized(), true);
            }
            for (String weight : graph.weights()) {
                if (!tensors.containsKey(weight)) {
                    throw refused(bundle, field + ".weights names '" + weight + "', which weights.tensors lacks");
                }
            }
            for (String weight : graph.quantizedWeights()) {
                if (!tensors.containsKey(weight)) {
                    throw refused(bundle, field + ".quantized names '" + weight + "', which weights.tensors lacks");
                }
            }
        }
        for (String name : required(manifest)) {
            if (!graphs.containsKey(name)) {
                throw refused(bundle, "a '%s' bundle needs graph '%s', which onnx.graphs lacks (another variant's bundle?)"
                        .formatted(manifest.variant(), name));
            }
        }
        Manifest.ShortlistIndex shortlist = manifest.shortlist();
        if (shortlist != null) {
            if (shortlist.tensors() == null) {
                throw refused(bundle, "shortlist.tensors is missing");
            }
            for (String[] graph : new String[][] {{"shortlist.output_graph", shortlist.outputGraph()},
                    {"shortlist.hidden_graph", shortlist.hiddenGraph()}}) {
                if (graph[1] == null || !graphs.containsKey(graph[1])) {
                    throw refused(bundle, graph[0] + " " + (graph[1] == null ? "is missing" : "'" + graph[1] + "' is not in onnx.graphs"));
                }
            }
            if (shortlist.frequent() < 1 || shortlist.perSource() < 1) {
                throw refused(bundle, "shortlist.frequent %d and shortlist.per_source %d must be at least 1"
                        .formatted(shortlist.frequent(), shortlist.perSource()));
            }
        }
    }

    /** The graphs the engine runs for the manifest's variant at float32 (§6, §13). */
    static List<String> required(Manifest manifest) {
        int decoderLayers = manifest.architecture().decoderLayers();
        int encoderLayers = manifest.architecture().encoderLayers();
        List<String> graphs = new ArrayList<>();
        if (!manifest.isKMatrix()) {
            graphs.add("encoder");
            graphs.add("decoder_step");
            return graphs;
        }
        if (manifest.hasKMatrixEncoder()) {
            graphs.add("encoder_embed");
            for (int l = 0; l < encoderLayers; l++) {
                graphs.add("encoder_layer" + l + "_conv");
                graphs.add("encoder_layer" + l + "_conv_out");
                graphs.add("encoder_layer" + l + "_ffn_out");
            }
            graphs.add("encoder_kv");
        } else {
            graphs.add("encoder");
        }
        graphs.add("decoder_embed");
        for (int l = 0; l < decoderLayers; l++) {
            graphs.add("decoder_layer" + l + "_conv");
            graphs.add("decoder_layer" + l + "_attend");
            graphs.add("decoder_layer" + l + "_ffn_out");
        }
        graphs.add("decoder_output");
        return graphs;
    }

    private static void names(Path bundle, String field, List<String> names, boolean mayBeEmpty) {
        if (names == null) {
            throw refused(bundle, field + " is missing");
        }
        if (names.isEmpty() && !mayBeEmpty) {
            throw refused(bundle, field + " is empty");
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i) == null) {
                throw refused(bundle, field + "[" + i + "] is null");
            }
        }
    }

    private static BundleException refused(Path bundle, String problem) {
        return new BundleException(bundle, "manifest.json", problem);
    }
}
