package io.kaleidoscope.bundle;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The manifest's model settings, on their own: {@code variant}, {@code architecture},
 * {@code special_tokens} and {@code search} (docs/bundle-format.md §2, "What the loader checks").
 * Each must be present and in range, so that the engine never divides by zero heads, indexes a
 * kernel list of the wrong length or sizes a search by a length nobody meant. Whether the sizes
 * agree with the weights is {@link ShapeCheck}'s concern.
 */
final class SettingsCheck {
    /** The variants this loader runs (§2, §13); anything else would run as something it is not. */
    static final Set<String> VARIANTS = Set.of("dense", "kmatrix", Manifest.KMATRIX_ENCODER);
    /** The one architecture the graphs and the kernel implement (§4). */
    static final String ARCHITECTURE = "dynamicconv-transformer";
    /** Beam widths the search supports (SearchOptions). */
    static final int MAX_BEAM = 64;
    /**
     * Caps on the output length ⌊max_len_a · source tokens⌋ + max_len_b (§7; the shipped bundles
     * say 1.5 and 10). A search keeps every hypothesis' history for the whole allowed length, so
     * an absurd value (2·10⁹) would ask for gigabytes per sentence before the first step.
     */
    static final double MAX_LEN_A = 8;
    static final int MAX_LEN_B = 1024;

    private final Path bundle;

    private SettingsCheck(Path bundle) {
        this.bundle = bundle;
    }

    static void check(Path bundle, Manifest manifest) {
        SettingsCheck check = new SettingsCheck(bundle);
        check.variant(manifest.variant());
        check.architecture(manifest.architecture());
        check.specialTokens(manifest.specialTokens(), manifest.architecture().vocabSize());
        if (manifest.search() != null) {
            check.search(manifest.search());
        }
    }

    private void variant(String variant) {
        if (variant == null) {
            throw refused("variant is missing (one of dense, kmatrix, kmatrix-encoder)");
        }
        if (!VARIANTS.contains(variant)) {
            throw refused("variant '" + variant + "' is not one of dense, kmatrix, kmatrix-encoder");
        }
    }

    private void architecture(Manifest.Architecture a) {
        if (a == null) {
            throw refused("architecture is missing");
        }
        if (!ARCHITECTURE.equals(a.type())) {
            throw refused("architecture.type " + quoted(a.type()) + " is not '" + ARCHITECTURE + "'");
        }
        atLeast("architecture.d_model", a.dModel(), 1);
        atLeast("architecture.ffn_dim", a.ffnDim(), 1);
        atLeast("architecture.heads", a.heads(), 1);
        atLeast("architecture.vocab_size", a.vocabSize(), 1);
        atLeast("architecture.encoder_layers", a.encoderLayers(), 1);
        atLeast("architecture.decoder_layers", a.decoderLayers(), 1);
        if (a.dModel() % a.heads() != 0) {
            throw refused("architecture.d_model %d is not divisible by architecture.heads %d".formatted(a.dModel(), a.heads()));
        }
        // The encoder's convolution may be 1 wide; the decoder keeps the last K − 1 inputs in a
        // ring indexed modulo K − 1 (§6), which needs K ≥ 2.
        kernels("architecture.encoder_kernels", a.encoderKernels(), a.encoderLayers(), "architecture.encoder_layers", 1);
        kernels("architecture.decoder_kernels", a.decoderKernels(), a.decoderLayers(), "architecture.decoder_layers", 2);
        if (!Double.isFinite(a.embeddingScale()) || a.embeddingScale() <= 0) {
            throw refused("architecture.embedding_scale " + a.embeddingScale() + " is not a positive number");
        }
    }

    private void kernels(String field, int[] kernels, int layers, String layersField, int min) {
        if (kernels == null) {
            throw refused(field + " is missing");
        }
        if (kernels.length != layers) {
            throw refused("%s has %d entries, %s is %d".formatted(field, kernels.length, layersField, layers));
        }
        for (int l = 0; l < kernels.length; l++) {
            atLeast(field + "[" + l + "]", kernels[l], min);
        }
    }

    private void specialTokens(Manifest.SpecialTokens t, int vocab) {
        if (t == null) {
            throw refused("special_tokens is missing");
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        ids.put("pad", t.pad());
        ids.put("unk", t.unk());
        ids.put("bos", t.bos());
        ids.put("eos", t.eos());
        Map<Integer, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= vocab) {
                throw refused("special_tokens.%s %d is outside [0, %d) (architecture.vocab_size)".formatted(e.getKey(), id, vocab));
            }
            String other = seen.putIfAbsent(id, e.getKey());
            if (other != null) {
                throw refused("special_tokens.%s and special_tokens.%s are both %d; the special ids must be distinct"
                        .formatted(other, e.getKey(), id));
            }
        }
    }

    private void search(Manifest.SearchSettings s) {
        if (s.beam() < 1 || s.beam() > MAX_BEAM) {
            throw refused("search.beam %d is outside [1, %d]".formatted(s.beam(), MAX_BEAM));
        }
        if (!(s.maxLenA() >= 0 && s.maxLenA() <= MAX_LEN_A)) {
            throw refused("search.max_len_a %s is outside [0, %s]".formatted(s.maxLenA(), MAX_LEN_A));
        }
        if (s.maxLenB() < 1 || s.maxLenB() > MAX_LEN_B) {
            throw refused("search.max_len_b %d is outside [1, %d]".formatted(s.maxLenB(), MAX_LEN_B));
        }
        if (!Double.isFinite(s.lenPenalty())) {
            throw refused("search.len_penalty " + s.lenPenalty() + " is not a finite number");
        }
    }

    private void atLeast(String field, int value, int min) {
        if (value < min) {
            throw refused("%s is %d, must be at least %d".formatted(field, value, min));
        }
    }

    private static String quoted(String s) {
        return s == null ? "(missing)" : "'" + s + "'";
    }

    private BundleException refused(String problem) {
        return new BundleException(bundle, "manifest.json", problem);
    }
}
