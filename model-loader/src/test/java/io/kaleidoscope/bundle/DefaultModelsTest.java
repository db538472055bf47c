package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultModelsTest {
    @TempDir
    Path models;

    @Test
    void theServingDefaultIsTheBestTranslatorPresent() throws IOException {
        eachBundleAddedBecomesTheChoice(DefaultModels::of, "kmatrix", "tiny", "de-en", "small");
    }

    @Test
    void theBenchmarkDefaultIsThePapersSizePresent() throws IOException {
        eachBundleAddedBecomesTheChoice(DefaultModels::forBenchmark, "dense", "tiny", "small", "de-en");
        assertEquals(models.resolve("small-dense"), DefaultModels.of(models, "dense"));
    }

    /** Adds the sizes' bundles of the variant from the least to the most preferred, checking the choice after each. */
    private void eachBundleAddedBecomesTheChoice(BiFunction<Path, String, Path> choice, String variant,
            String... leastToMostPreferred) throws IOException {
        for (String size : leastToMostPreferred) {
            Path bundle = Files.createDirectories(models.resolve(size + "-" + variant));
            assertEquals(bundle, choice.apply(models, variant));
        }
    }

    @Test
    void eachVariantIsLookedUpOnItsOwn() throws IOException {
        Files.createDirectories(models.resolve("small-kmatrix"));
        Files.createDirectories(models.resolve("tiny-dense"));
        assertEquals(models.resolve("tiny-dense"), DefaultModels.of(models, "dense"));
    }

    @Test
    void withoutAnyBundleTheFirstChoiceIsNamedSoTheErrorSaysWhatIsMissing() {
        assertEquals(models.resolve("small-kmatrix"), DefaultModels.of(models, "kmatrix"));
        assertEquals(models.resolve("de-en-kmatrix"), DefaultModels.forBenchmark(models, "kmatrix"));
    }

    @Test
    void aFileOfThatNameIsNotABundle() throws IOException {
        Files.writeString(models.resolve("small-kmatrix"), "not a directory");
        Files.createDirectories(models.resolve("tiny-kmatrix"));
        assertEquals(models.resolve("tiny-kmatrix"), DefaultModels.of(models, "kmatrix"));
    }
}
