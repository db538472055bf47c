package io.kaleidoscope;

import java.nio.file.Path;

/**
 * Where the shipped bundles are: {@code models/} of the repository, seen from the model-loader
 * module (Surefire's working directory), or the folder named by {@code -Dkaleido.models=DIR}.
 */
public final class TestBundles {
    public static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();
    public static final Path TINY_DENSE = MODELS.resolve("tiny-dense");
    public static final Path TINY_KMATRIX = MODELS.resolve("tiny-kmatrix");

    private TestBundles() {}
}
