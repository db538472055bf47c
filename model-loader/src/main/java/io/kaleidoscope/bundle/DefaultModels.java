package io.kaleidoscope.bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which shipped bundle a command or the server uses when none is named: the best-trained one in
 * {@code models/}, relative to the working directory (the repository root, where {@code ./kaleido}
 * runs everything). The base models (GPU-trained, DESIGN.md §2) come first, then the small ones
 * trained on a CPU, then the tiny test fixtures.
 */
public final class DefaultModels {
    /** Bundle name prefixes, best first; a bundle is {@code models/<prefix>-<variant>}. */
    private static final List<String> SIZES = List.of("de-en", "small", "tiny");

    private DefaultModels() {}

    /** The default bundle of a variant ("kmatrix", "dense", ...): the first present, else the base one's path. */
    public static Path of(String variant) {
        return of(Path.of("models"), variant);
    }

    static Path of(Path models, String variant) {
        for (String size : SIZES) {
            Path candidate = models.resolve(size + "-" + variant);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return models.resolve(SIZES.getFirst() + "-" + variant);
    }

    /** The default model of the server and of {@code translate} and {@code evaluate}. */
    public static Path kmatrix() {
        return of("kmatrix");
    }
}
