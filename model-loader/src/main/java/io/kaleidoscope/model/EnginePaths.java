package io.kaleidoscope.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The engine's choices (docs/engine.md): between exact alternatives for the same computation,
 * the encoder-decoder attention's form and the output projection's implementation; and the
 * precision of the encoder and of the dense model's decoder linears, float32 (exact, the default)
 * or int8 (options that change outputs a little). Tests and benchmarks force each; the server and the command line take them from system
 * properties.
 */
public record EnginePaths(AbsorbedAttention.Path attention, OutputProjection output, Precision encoder,
                          Precision decoderLinears) {
    /** Attention and output projection chosen per search; everything in float32. */
    public static final EnginePaths AUTO = new EnginePaths(AbsorbedAttention.Path.AUTO, OutputProjection.AUTO);

    public EnginePaths {
        if (attention == null || output == null || encoder == null || decoderLinears == null) {
            throw new IllegalArgumentException("attention, output, encoder and decoder-linear paths must be given");
        }
    }

    /** These attention and output paths, everything in float32. */
    public EnginePaths(AbsorbedAttention.Path attention, OutputProjection output) {
        this(attention, output, Precision.FLOAT32, Precision.FLOAT32);
    }

    /**
     * From {@code kaleido.attention} and {@code kaleido.output} (both default auto),
     * {@code kaleido.encoder} and {@code kaleido.decoderLinears} (both default float32).
     */
    public static EnginePaths fromSystemProperties() {
        return new EnginePaths(fromProperty("kaleido.attention", "auto", AbsorbedAttention.Path.class),
                fromProperty("kaleido.output", "auto", OutputProjection.class),
                fromProperty("kaleido.encoder", "float32", Precision.class),
                fromProperty("kaleido.decoderLinears", "float32", Precision.class));
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
        return new EnginePaths(path, output, encoder, decoderLinears);
    }

    public EnginePaths withOutput(OutputProjection projection) {
        return new EnginePaths(attention, projection, encoder, decoderLinears);
    }

    public EnginePaths withEncoder(Precision precision) {
        return new EnginePaths(attention, output, precision, decoderLinears);
    }

    /**
     * The dense model's decoder linears (linear1, linear2, fc1, fc2 of every layer: the layers the
     * K-matrix model replaces) at this precision; a K-matrix bundle runs those in its kernel and
     * ignores this.
     */
    public EnginePaths withDecoderLinears(Precision precision) {
        return new EnginePaths(attention, output, encoder, precision);
    }
}
