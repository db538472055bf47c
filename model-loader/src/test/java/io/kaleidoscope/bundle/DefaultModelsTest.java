package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultModelsTest {
    @TempDir
    Path models;

    @Test
    void theServingDefaultIsTheBestTranslatorPresent() throws IOException {
        Files.createDirectories(models.resolve("tiny-kmatrix"));
        assertEquals(models.resolve("tiny-kmatrix"), DefaultModels.of(models, "kmatrix"));
        Files.createDirectories(models.resolve("de-en-kmatrix"));
        assertEquals(models.resolve("de-en-kmatrix"), DefaultModels.of(models, "kmatrix"));
        Files.createDirectories(models.resolve("small-kmatrix"));
        assertEquals(models.resolve("small-kmatrix"), DefaultModels.of(models, "kmatrix"));
    }

    @Test
    void theBenchmarkDefaultIsThePapersSizePresent() throws IOException {
        Files.createDirectories(models.resolve("tiny-dense"));
        assertEquals(models.resolve("tiny-dense"), DefaultModels.forBenchmark(models, "dense"));
        Files.createDirectories(models.resolve("small-dense"));
        assertEquals(models.resolve("small-dense"), DefaultModels.forBenchmark(models, "dense"));
        Files.createDirectories(models.resolve("de-en-dense"));
        assertEquals(models.resolve("de-en-dense"), DefaultModels.forBenchmark(models, "dense"));
        assertEquals(models.resolve("small-dense"), DefaultModels.of(models, "dense"));
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
