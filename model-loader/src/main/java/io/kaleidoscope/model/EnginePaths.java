package io.kaleidoscope.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The engine's choices (docs/engine.md): between exact alternatives for the same computation,
 * the encoder-decoder attention's form and the output projection's implementation; and the
 * encoder's precision, float32 (exact, the default) or int8 (an option that changes outputs a
 * little). Tests and benchmarks force each; the server and the command line take them from system
 * properties.
 */
public record EnginePaths(AbsorbedAttention.Path attention, OutputProjection output, EncoderPrecision encoder) {
    /** Attention and output projection chosen per search; the float32 encoder. */
    public static final EnginePaths AUTO = new EnginePaths(AbsorbedAttention.Path.AUTO, OutputProjection.AUTO);

    public EnginePaths {
        if (attention == null || output == null || encoder == null) {
            throw new IllegalArgumentException("attention, output and encoder paths must be given");
        }
    }

    /** These attention and output paths with the float32 encoder. */
    public EnginePaths(AbsorbedAttention.Path attention, OutputProjection output) {
        this(attention, output, EncoderPrecision.FLOAT32);
    }

    /**
     * From {@code kaleido.attention} and {@code kaleido.output} (both default auto) and
     * {@code kaleido.encoder} (default float32).
     */
    public static EnginePaths fromSystemProperties() {
        return new EnginePaths(fromProperty("kaleido.attention", "auto", AbsorbedAttention.Path.class),
                fromProperty("kaleido.output", "auto", OutputProjection.class),
                fromProperty("kaleido.encoder", "float32", EncoderPrecision.class));
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
        return new EnginePaths(path, output, encoder);
    }

    public EnginePaths withOutput(OutputProjection projection) {
        return new EnginePaths(attention, projection, encoder);
    }

    public EnginePaths withEncoder(EncoderPrecision precision) {
        return new EnginePaths(attention, output, precision);
    }
}
