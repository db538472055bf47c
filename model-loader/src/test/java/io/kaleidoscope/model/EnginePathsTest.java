package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** The engine's choices from the system properties: defaults, any case, and a clear refusal. */
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class EnginePathsTest {
    @AfterEach
    void clear() {
        System.clearProperty("kaleido.attention");
        System.clearProperty("kaleido.output");
        System.clearProperty("kaleido.encoder");
        System.clearProperty("kaleido.decoder");
    }

    @Test
    void unsetPropertiesMeanAuto() {
        clear();
        assertEquals(EnginePaths.AUTO, EnginePaths.fromSystemProperties());
    }

    @Test
    void valuesAreReadCaseInsensitively() {
        System.setProperty("kaleido.attention", "Standard");
        System.setProperty("kaleido.output", " float16 ");
        assertEquals(new EnginePaths(AbsorbedAttention.Path.STANDARD, OutputProjection.FLOAT16), EnginePaths.fromSystemProperties());
    }

    @Test
    void theEncoderAndDecoderLinearsAreFloat32UnlessInt8IsAskedFor() {
        clear();
        assertEquals(Precision.FLOAT32, EnginePaths.fromSystemProperties().encoder());
        assertEquals(Precision.FLOAT32, EnginePaths.fromSystemProperties().decoder());
        System.setProperty("kaleido.encoder", "INT8");
        assertEquals(EnginePaths.AUTO.withEncoder(Precision.INT8), EnginePaths.fromSystemProperties());
        System.setProperty("kaleido.decoder", "int8");
        assertEquals(EnginePaths.AUTO.withEncoder(Precision.INT8).withDecoder(Precision.INT8), EnginePaths.fromSystemProperties());
        System.clearProperty("kaleido.decoder");
        System.setProperty("kaleido.encoder", "auto");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, EnginePaths::fromSystemProperties);
        assertEquals("kaleido.encoder must be one of [float32, int8], not 'auto'", e.getMessage());
    }

    @Test
    void anUnknownValueIsRefusedWithTheChoices() {
        System.setProperty("kaleido.output", "int8");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, EnginePaths::fromSystemProperties);
        assertEquals("kaleido.output must be one of [auto, onnx, float16], not 'int8'", e.getMessage());
    }
}
