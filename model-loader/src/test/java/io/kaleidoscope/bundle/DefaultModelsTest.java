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
    void theBestTrainedBundlePresentIsTheDefault() throws IOException {
        Files.createDirectories(models.resolve("tiny-kmatrix"));
        assertEquals(models.resolve("tiny-kmatrix"), DefaultModels.of(models, "kmatrix"));
        Files.createDirectories(models.resolve("small-kmatrix"));
        assertEquals(models.resolve("small-kmatrix"), DefaultModels.of(models, "kmatrix"));
        Files.createDirectories(models.resolve("de-en-kmatrix"));
        assertEquals(models.resolve("de-en-kmatrix"), DefaultModels.of(models, "kmatrix"));
    }

    @Test
    void eachVariantIsLookedUpOnItsOwn() throws IOException {
        Files.createDirectories(models.resolve("small-kmatrix"));
        Files.createDirectories(models.resolve("tiny-dense"));
        assertEquals(models.resolve("tiny-dense"), DefaultModels.of(models, "dense"));
    }

    @Test
    void withoutAnyBundleTheBaseModelIsNamedSoTheErrorSaysWhatIsMissing() {
        assertEquals(models.resolve("de-en-kmatrix"), DefaultModels.of(models, "kmatrix"));
    }

    @Test
    void aFileOfThatNameIsNotABundle() throws IOException {
        Files.writeString(models.resolve("small-kmatrix"), "not a directory");
        Files.createDirectories(models.resolve("tiny-kmatrix"));
        assertEquals(models.resolve("tiny-kmatrix"), DefaultModels.of(models, "kmatrix"));
    }
}
