package io.kaleidoscope.bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which shipped bundle a command or the server uses when none is named, in {@code models/} relative
 * to the working directory (the repository root, where {@code ./kaleido} runs everything).
 *
 * <p>Two orders, because the best translator is not the paper's size. The server, {@code translate}
 * and {@code evaluate} take the model that translates best: the small models (19,000 steps on a CPU
 * core) are ahead of the base ones from 7.5 minutes on one GPU (whole test split, beam 4: K-matrix
 * BLEU 38.35 against 36.69, dense 39.70 against 38.60) and about four times faster. The decode
 * benchmark takes the paper's size (DESIGN.md §2) first, since its targets are stated there. The tiny
 * test fixtures come last in both.
 */
public final class DefaultModels {
    /** Bundle name prefixes for serving, best translator first; a bundle is {@code models/<prefix>-<variant>}. */
    private static final List<String> BEST_TRANSLATOR_FIRST = List.of("small", "de-en", "tiny");
    /** Bundle name prefixes for the decode benchmark, the paper's size first. */
    private static final List<String> PAPER_SIZE_FIRST = List.of("de-en", "small", "tiny");

    private DefaultModels() {}

    /** The serving default of a variant ("kmatrix", "dense", ...): the first present, else the first one's path. */
    public static Path of(String variant) {
        return of(Path.of("models"), variant);
    }

    /** The decode benchmark's default of a variant: the base bundle when present. */
    public static Path forBenchmark(String variant) {
        return forBenchmark(Path.of("models"), variant);
    }

    /** The default model of the server and of {@code translate} and {@code evaluate}. */
    public static Path kmatrix() {
        return of("kmatrix");
    }

    static Path of(Path models, String variant) {
        return firstPresent(models, BEST_TRANSLATOR_FIRST, variant);
    }

    static Path forBenchmark(Path models, String variant) {
        return firstPresent(models, PAPER_SIZE_FIRST, variant);
    }

    /** The first bundle of the order that is a directory; else the first one's path, so that the error names it. */
    private static Path firstPresent(Path models, List<String> order, String variant) {
        for (String size : order) {
            Path candidate = models.resolve(size + "-" + variant);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return models.resolve(order.getFirst() + "-" + variant);
    }
}
