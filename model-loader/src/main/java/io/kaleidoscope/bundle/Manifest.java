package io.kaleidoscope.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The contents of a bundle's {@code manifest.json} (docs/bundle-format.md §2). Unknown fields are
 * ignored so a newer exporter can add information; the format version says when the meaning of
 * a known field changes.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Manifest(
        int formatVersion,
        String name,
        String variant,
        Architecture architecture,
        SpecialTokens specialTokens,
        SearchSettings search,
        List<KMatrixLayerSpec> kmatrixLayers,
        WeightIndex weights,
        String tokenizer,
        OnnxIndex onnx,
        GoldenIndex golden,
        List<FileEntry> files,
        JsonNode provenance,
        JsonNode evaluation,
        ShortlistIndex shortlist) {

    /** The only format this loader reads. */
    public static final int FORMAT_VERSION = 1;

    /** The variant whose encoder linears are K-matrices too (DESIGN.md §2 welcomes such named variants). */
    public static final String KMATRIX_ENCODER = "kmatrix-encoder";

    /** Whether the decoder's linear1, linear2, fc1 and fc2 are K-matrices: the paper's setting, {@code kmatrix}, or {@link #KMATRIX_ENCODER}. */
    public boolean isKMatrix() {
        return "kmatrix".equals(variant) || KMATRIX_ENCODER.equals(variant);
    }

    /** Whether the encoder's linears are K-matrices too, so that it runs in pieces around the kernel (§13). */
    public boolean hasKMatrixEncoder() {
        return KMATRIX_ENCODER.equals(variant);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Architecture(String type, int dModel, int ffnDim, int heads, int encoderLayers, int decoderLayers,
                               int[] encoderKernels, int[] decoderKernels, int vocabSize, double embeddingScale) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SpecialTokens(int pad, int unk, int bos, int eos) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SearchSettings(int beam, double lenPenalty, double maxLenA, int maxLenB) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record KMatrixLayerSpec(String name, int inFeatures, int outFeatures, int n, int stacks,
                                   String twiddle, long[] twiddleShape, String bias) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record WeightIndex(String dtype, List<String> shards, Map<String, TensorEntry> tensors) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TensorEntry(String shard, long[] shape) {}

    /**
     * The graphs, and how their decoder steps take the encoder's keys, values and bias
     * ({@code step_attention}, §6): {@code per_sentence}, or absent in bundles whose step graphs
     * took them per row.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record OnnxIndex(int opset, Map<String, GraphEntry> graphs, String stepAttention) {}

    /**
     * One ONNX graph: its file, input and output names, the weights it takes by name, and the
     * weights it takes in their int8 form (§12; absent: none).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GraphEntry(String file, List<String> inputs, List<String> outputs, List<String> weights,
                             List<String> quantized) {
        public List<String> quantizedWeights() {
            return quantized == null ? List.of() : quantized;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GoldenIndex(String tensors, String json) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String path, long size, String sha256) {}

    /**
     * The optional lexical shortlist (docs/bundle-format.md §10): its tensors file, the graph that
     * projects onto the candidates, and the graph that produces the hidden state it projects
     * (the dense model's step without its output projection; unused by K-matrix bundles, whose
     * step already ends in a hidden state).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ShortlistIndex(String tensors, int frequent, int perSource, String outputGraph, String hiddenGraph) {}
}
