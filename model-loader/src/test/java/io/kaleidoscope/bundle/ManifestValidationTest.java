package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.TestBundles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A manifest whose checksums all match but whose content is wrong, missing or of the wrong type
 * is refused at load with a message naming manifest.json and the field (docs/bundle-format.md,
 * "What the loader checks"): never a NullPointerException, an ArithmeticException, a model that
 * loads as something else, or a failure at the first translation.
 */
class ManifestValidationTest {
    @TempDir
    Path temp;

    /** One way to damage a bundle's manifest. */
    interface Damage {
        void apply(DamagedBundle bundle) throws IOException;
    }

    private static Arguments refused(String what, Path bundle, Damage damage, String problem) {
        return Arguments.of(what, bundle, damage, problem);
    }

    static Stream<Arguments> defects() {
        Path dense = TestBundles.TINY_DENSE;
        Path kmatrix = TestBundles.TINY_KMATRIX;
        Path encoder = TestBundles.TINY_KMATRIX_ENCODER;
        return Stream.of(
                // D5: variant, architecture type, special ids
                refused("unknown variant", dense, b -> b.manifest().put("variant", "foo"),
                        "variant 'foo' is not one of dense, kmatrix, kmatrix-encoder"),
                refused("missing variant", dense, b -> b.manifest().remove("variant"),
                        "variant is missing (one of dense, kmatrix, kmatrix-encoder)"),
                refused("another architecture", dense, b -> b.at("architecture").put("type", "transformer"),
                        "architecture.type 'transformer' is not 'dynamicconv-transformer'"),
                refused("eos past the vocabulary", dense, b -> b.at("special_tokens").put("eos", 99999),
                        "special_tokens.eos 99999 is outside [0, 2000) (architecture.vocab_size)"),
                refused("negative bos", dense, b -> b.at("special_tokens").put("bos", -3),
                        "special_tokens.bos -3 is outside [0, 2000) (architecture.vocab_size)"),
                refused("eos equal to pad", dense, b -> b.at("special_tokens").put("eos", 0),
                        "special_tokens.pad and special_tokens.eos are both 0; the special ids must be distinct"),
                refused("eos missing", dense, b -> b.at("special_tokens").remove("eos"),
                        "special_tokens.eos: missing or null, a number is required"),
                // D7: nulls and missing sections
                refused("manifest null", dense, b -> b.writeManifestText("null"),
                        "not a valid manifest: the top level is a JSON null, not an object"),
                refused("manifest an array", dense, b -> b.writeManifestText("[]"),
                        "not a valid manifest: the top level is a JSON array, not an object"),
                refused("onnx.graphs missing", dense, b -> b.at("onnx").remove("graphs"), "onnx.graphs is missing or empty"),
                refused("a graph entry null", dense, b -> b.at("onnx.graphs").putNull("encoder"), "onnx.graphs.encoder is null"),
                refused("graph weights null", dense, b -> b.at("onnx.graphs.encoder").putNull("weights"),
                        "onnx.graphs.encoder.weights is missing"),
                refused("graph inputs null", dense, b -> b.at("onnx.graphs.decoder_step").putNull("inputs"),
                        "onnx.graphs.decoder_step.inputs is missing"),
                refused("graph file null", dense, b -> b.at("onnx.graphs.encoder").putNull("file"),
                        "onnx.graphs.encoder.file is missing"),
                refused("files entry null", dense, b -> b.manifest().withArray("files").setNull(0), "files[0] is null"),
                refused("files path null", dense, b -> ((ObjectNode) b.manifest().withArray("files").get(0)).putNull("path"),
                        "files[0].path is missing"),
                refused("tensor entry null", dense, b -> b.at("weights.tensors").putNull("embed_tokens.weight"),
                        "weights.tensors['embed_tokens.weight'] is null"),
                refused("tensor shard null", dense, b -> ((ObjectNode) b.at("weights.tensors").get("embed_tokens.weight")).putNull("shard"),
                        "weights.tensors['embed_tokens.weight'].shard is missing"),
                refused("graph weight not in the index", dense, b -> b.at("weights.tensors").remove("embed_tokens.weight"),
                        "onnx.graphs.encoder.weights names 'embed_tokens.weight', which weights.tensors lacks"),
                refused("unknown quantized weight", dense,
                        b -> b.at("onnx.graphs.encoder_int8").withArray("quantized").add("nope.weight"),
                        "onnx.graphs.encoder_int8.quantized names 'nope.weight', which weights.tensors lacks"),
                refused("weights dtype unknown", dense, b -> b.at("weights").put("dtype", "int8"),
                        "weights.dtype 'int8', expected float32 or float16"),
                // D7: architecture values
                refused("heads 0", dense, b -> b.at("architecture").put("heads", 0), "architecture.heads is 0, must be at least 1"),
                refused("heads not dividing d", dense, b -> b.at("architecture").put("heads", 3),
                        "architecture.d_model 128 is not divisible by architecture.heads 3"),
                refused("heads dividing d but not the weights'", dense, b -> b.at("architecture").put("heads", 8),
                        "weights.tensors['encoder.layers.0.conv.weight_linear.weight'] has shape [12, 128], the architecture says"
                                + " (architecture.heads × encoder_kernels[0], d_model) = [24, 128]"),
                refused("d_model negative", dense, b -> b.at("architecture").put("d_model", -128),
                        "architecture.d_model is -128, must be at least 1"),
                refused("d_model disagreeing with the weights", dense, b -> b.at("architecture").put("d_model", 64),
                        "weights.tensors['embed_tokens.weight'] has shape [2000, 128], the architecture says"
                                + " (architecture.vocab_size, d_model) = [2000, 64]"),
                refused("ffn_dim 0", kmatrix, b -> b.at("architecture").put("ffn_dim", 0), "architecture.ffn_dim is 0, must be at least 1"),
                refused("ffn_dim disagreeing with the weights", dense, b -> b.at("architecture").put("ffn_dim", 512),
                        "weights.tensors['encoder.layers.0.fc1.bias'] has shape [256], the architecture says (architecture.ffn_dim) = [512]"),
                refused("vocab_size disagreeing with the embedding", dense, b -> {
                            b.manifest().remove("shortlist");
                            b.at("architecture").put("vocab_size", 1000);
                        },
                        "weights.tensors['embed_tokens.weight'] has shape [2000, 128], the architecture says"
                                + " (architecture.vocab_size, d_model) = [1000, 128]"),
                refused("decoder_kernels too short", dense, b -> b.at("architecture").putArray("decoder_kernels").add(3),
                        "architecture.decoder_kernels has 1 entries, architecture.decoder_layers is 2"),
                refused("decoder_kernels missing", dense, b -> b.at("architecture").remove("decoder_kernels"),
                        "architecture.decoder_kernels is missing"),
                refused("decoder kernel 1 (no ring)", dense, b -> b.at("architecture").putArray("decoder_kernels").add(1).add(7),
                        "architecture.decoder_kernels[0] is 1, must be at least 2"),
                refused("encoder kernel 0", dense, b -> b.at("architecture").putArray("encoder_kernels").add(0).add(7),
                        "architecture.encoder_kernels[0] is 0, must be at least 1"),
                refused("decoder kernel disagreeing with the weights", dense,
                        b -> b.at("architecture").putArray("decoder_kernels").add(5).add(7),
                        "weights.tensors['decoder.layers.0.conv.weight_linear.weight'] has shape [12, 128], the architecture says"
                                + " (architecture.heads × decoder_kernels[0], d_model) = [20, 128]"),
                refused("fewer decoder layers than the weights", dense, b -> {
                            b.at("architecture").put("decoder_layers", 1);
                            b.at("architecture").putArray("decoder_kernels").add(3);
                        },
                        "weights.tensors has 'decoder.layers.1.linear1.weight', but architecture.decoder_layers is 1"),
                // D7: search settings
                refused("beam 0", dense, b -> b.at("search").put("beam", 0), "search.beam 0 is outside [1, 64]"),
                refused("beam 1000", dense, b -> b.at("search").put("beam", 1000), "search.beam 1000 is outside [1, 64]"),
                refused("max_len_a negative", dense, b -> b.at("search").put("max_len_a", -1),
                        "search.max_len_a -1.0 is outside [0, 8.0]"),
                refused("max_len_b 0", dense, b -> b.at("search").put("max_len_b", 0), "search.max_len_b 0 is outside [1, 1024]"),
                refused("max_len_b absurd", dense, b -> b.at("search").put("max_len_b", 2_000_000_000),
                        "search.max_len_b 2000000000 is outside [1, 1024]"),
                // D7: a variant's graphs and K-matrix layers
                refused("kmatrix_layers missing", kmatrix, b -> b.manifest().remove("kmatrix_layers"),
                        "kmatrix_layers is missing or empty, but variant 'kmatrix' needs it"),
                refused("kmatrix-encoder labelled kmatrix", encoder, b -> b.manifest().put("variant", "kmatrix"),
                        "a 'kmatrix' bundle needs graph 'encoder', which onnx.graphs lacks (another variant's bundle?)"),
                refused("kmatrix labelled kmatrix-encoder", kmatrix, b -> b.manifest().put("variant", "kmatrix-encoder"),
                        "a 'kmatrix-encoder' bundle needs graph 'encoder_embed', which onnx.graphs lacks (another variant's bundle?)"),
                refused("kmatrix labelled dense", kmatrix, b -> b.manifest().put("variant", "dense"),
                        "a 'dense' bundle needs graph 'decoder_step', which onnx.graphs lacks (another variant's bundle?)"),
                refused("dense labelled kmatrix", dense, b -> b.manifest().put("variant", "kmatrix"),
                        "a 'kmatrix' bundle needs graph 'decoder_embed', which onnx.graphs lacks (another variant's bundle?)"),
                refused("shortlist graph unknown", dense, b -> b.at("shortlist").put("hidden_graph", "nope"),
                        "shortlist.hidden_graph 'nope' is not in onnx.graphs"),
                // D10: no coercion, no duplicate keys
                refused("format_version 1.9", dense, b -> b.manifest().put("format_version", 1.9),
                        "format_version must be the integer 1, got 1.9"),
                refused("format_version \"1\"", dense, b -> b.manifest().put("format_version", "1"),
                        "format_version must be the integer 1, got \"1\""),
                refused("d_model \"128\"", dense, b -> b.at("architecture").put("d_model", "128"),
                        "architecture.d_model: Cannot coerce String value (\"128\") to `int` value"),
                refused("heads 4.0", dense, b -> b.at("architecture").put("heads", 4.0),
                        "architecture.heads: Cannot coerce Floating-point value (4.0) to `int` value"),
                refused("heads null", dense, b -> b.at("architecture").putNull("heads"),
                        "architecture.heads: missing or null, a number is required"),
                refused("tokenizer a number", dense, b -> b.manifest().put("tokenizer", 5),
                        "tokenizer: Cannot coerce Integer value (5) to `java.lang.String` value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defects")
    void refusedWithTheField(String what, Path original, Damage damage, String problem) throws IOException {
        DamagedBundle bundle = DamagedBundle.of(original, temp.resolve("bundle"));
        damage.apply(bundle);
        if (!what.startsWith("manifest ")) {
            bundle.save();
        }
        BundleException e = bundle.refused();
        assertEquals("manifest.json", e.file(), e.getMessage());
        assertEquals("model bundle " + bundle.dir + ": manifest.json: " + problem, e.getMessage());
    }

    @Test
    void duplicateKeyIsRefused() throws IOException {
        DamagedBundle bundle = DamagedBundle.of(TestBundles.TINY_DENSE, temp.resolve("bundle"));
        String text = DamagedBundle.JSON.writeValueAsString(bundle.manifest());
        bundle.writeManifestText(text.replaceFirst("\"format_version\":1,", "\"format_version\":2,\"format_version\":1,"));
        BundleException e = bundle.refused();
        assertTrue(e.getMessage().endsWith("manifest.json: not a valid manifest: Duplicate field 'format_version'"), e.getMessage());
    }

    @Test
    void unknownKeysStayAllowed() throws IOException {
        DamagedBundle bundle = DamagedBundle.of(TestBundles.TINY_DENSE, temp.resolve("bundle"));
        bundle.manifest().putObject("added_by_a_newer_exporter").put("x", 1);
        bundle.at("architecture").put("zzz", "new");
        ((ObjectNode) bundle.manifest().withArray("files").get(0)).put("zzz", 1);
        bundle.save();
        assertEquals("tiny-dense", Bundle.open(bundle.dir).manifest().name());
    }
}
