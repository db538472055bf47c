package io.kaleidoscope.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The engine's choices between exact alternatives for the same computation (docs/engine.md):
 * the encoder-decoder attention's form and the output projection's implementation. Tests and
 * benchmarks force each; the server and the command line take them from system properties.
 */
public record EnginePaths(AbsorbedAttention.Path attention, OutputProjection output) {
    /** Both chosen per search. */
    public static final EnginePaths AUTO = new EnginePaths(AbsorbedAttention.Path.AUTO, OutputProjection.AUTO);

    public EnginePaths {
        if (attention == null || output == null) {
            throw new IllegalArgumentException("attention and output paths must be given");
        }
    }

    /** From {@code kaleido.attention} and {@code kaleido.output} (both default auto). */
    public static EnginePaths fromSystemProperties() {
        return new EnginePaths(fromProperty("kaleido.attention", AbsorbedAttention.Path.class),
                fromProperty("kaleido.output", OutputProjection.class));
    }

    /** The constant named by a system property, case-insensitive; AUTO when it is unset. */
    private static <E extends Enum<E>> E fromProperty(String property, Class<E> choices) {
        String value = System.getProperty(property, "auto");
        try {
            return Enum.valueOf(choices, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " must be one of " + Arrays.stream(choices.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList() + ", not '" + value + "'");
        }
    }

    public EnginePaths withAttention(AbsorbedAttention.Path path) {
        return new EnginePaths(path, output);
    }

    public EnginePaths withOutput(OutputProjection projection) {
        return new EnginePaths(attention, projection);
    }
}
