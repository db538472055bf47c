package io.kaleidoscope.model;

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
        return new EnginePaths(AbsorbedAttention.Path.fromSystemProperty(), OutputProjection.fromSystemProperty());
    }

    public EnginePaths withAttention(AbsorbedAttention.Path path) {
        return new EnginePaths(path, output);
    }

    public EnginePaths withOutput(OutputProjection projection) {
        return new EnginePaths(attention, projection);
    }
}
