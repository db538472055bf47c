package io.kaleidoscope.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The engine's choices (docs/engine.md): between exact alternatives for the same computation,
 * the encoder-decoder attention's form and the output projection's implementation; and the
 * precision of the encoder's and the decoder's products in ONNX Runtime, float32 (exact, the
 * default) or int8 (options that change outputs a little). Tests and benchmarks force each; the
 * server and the command line take them from system properties.
 */
public record EnginePaths(AbsorbedAttention.Path attention, OutputProjection output, Precision encoder,
                          Precision decoder) {
    /** Attention and output projection chosen per search; everything in float32. */
    public static final EnginePaths AUTO = new EnginePaths(AbsorbedAttention.Path.AUTO, OutputProjection.AUTO);

    public EnginePaths {
        if (attention == null || output == null || encoder == null || decoder == null) {
            throw new IllegalArgumentException("attention, output, encoder and decoder paths must be given");
        }
    }

    /** These attention and output paths, everything in float32. */
    public EnginePaths(AbsorbedAttention.Path attention, OutputProjection output) {
        this(attention, output, Precision.FLOAT32, Precision.FLOAT32);
    }

    /**
     * From {@code kaleido.attention} and {@code kaleido.output} (both default auto),
     * {@code kaleido.encoder} and {@code kaleido.decoder} (both default float32).
     */
    public static EnginePaths fromSystemProperties() {
        return new EnginePaths(fromProperty("kaleido.attention", "auto", AbsorbedAttention.Path.class),
                fromProperty("kaleido.output", "auto", OutputProjection.class),
                fromProperty("kaleido.encoder", "float32", Precision.class),
                fromProperty("kaleido.decoder", "float32", Precision.class));
    }

    /** The constant named by a system property, case-insensitive; {@code fallback} when it is unset. */
    private static <E extends Enum<E>> E fromProperty(String property, String fallback, Class<E> choices) {
        String value = System.getProperty(property, fallback);
        try {
            return Enum.valueOf(choices, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " must be one of " + Arrays.stream(choices.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList() + ", not '" + value + "'");
        }
    }

    public EnginePaths withAttention(AbsorbedAttention.Path path) {
        return new EnginePaths(path, output, encoder, decoder);
    }

    public EnginePaths withOutput(OutputProjection projection) {
        return new EnginePaths(attention, projection, encoder, decoder);
    }

    public EnginePaths withEncoder(Precision precision) {
        return new EnginePaths(attention, output, precision, decoder);
    }

    /**
     * The decoder step's products in ONNX Runtime at this precision: the dense model's linear1,
     * linear2, fc1 and fc2 (the layers the K-matrix model runs in its kernel, which stays float32),
     * both models' attention q/out projections on the standard attention path and their output
     * projections (under {@link OutputProjection#AUTO} then always ONNX Runtime's int8 graph). The
     * absorbed attention's per-sentence preparation stays float32.
     */
    public EnginePaths withDecoder(Precision precision) {
        return new EnginePaths(attention, output, encoder, precision);
    }
}
