package io.kaleidoscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kaleidoscope.bundle.BundleException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A failure to load the model is one "error: …" line, whatever its type (D11). */
class ModelLoadingTest {
    private static final Path MODEL = Path.of("models/x");

    @Test
    void bundleExceptionKeepsItsMessage() {
        assertEquals("error: model bundle models/x: manifest.json: missing",
                ModelLoading.errorLine(MODEL, new BundleException(MODEL, "manifest.json", "missing")));
    }

    @Test
    void anyOtherFailureIsOneLineNamingTheBundle() {
        assertEquals("error: model bundle models/x: cannot load it: java.lang.IllegalStateException: ONNX graph 'x' failed: first",
                ModelLoading.errorLine(MODEL, new IllegalStateException("ONNX graph 'x' failed: first\n  second line")));
        assertEquals("error: model bundle models/x: cannot load it: java.lang.OutOfMemoryError: Java heap space",
                ModelLoading.errorLine(MODEL, new OutOfMemoryError("Java heap space")));
        assertEquals("error: model bundle models/x: cannot load it: java.lang.NullPointerException",
                ModelLoading.errorLine(MODEL, new NullPointerException()));
    }
}
