package io.kaleidoscope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the shipped bundles are: {@code models/} of the repository, seen from the model-loader
 * module (Surefire's working directory), or the folder named by {@code -Dkaleido.models=DIR}.
 */
public final class TestBundles {
    public static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();
    public static final Path TINY_DENSE = MODELS.resolve("tiny-dense");
    public static final Path TINY_KMATRIX = MODELS.resolve("tiny-kmatrix");

    private TestBundles() {}

    /** A copy of {@code bundle} at {@code target} (a path that does not exist yet), for tests that damage it. */
    public static Path copy(Path bundle, Path target) throws IOException {
        Path original = bundle.toRealPath();
        try (Stream<Path> files = Files.walk(original)) {
            for (Path source : files.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(source, target.resolve(original.relativize(source).toString()));
            }
        }
        return target;
    }
}
