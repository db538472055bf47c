package io.kaleidoscope.bundle;

import java.nio.file.Path;

/**
 * A model bundle that cannot be used: missing or damaged file, wrong shape, unknown format.
 * The message always names the bundle, the file and the problem, so an operator can act on it
 * without reading code ("model bundle models/x: weights-00001-of-00001.safetensors: SHA-256 …").
 */
public final class BundleException extends RuntimeException {
    private final String file;

    public BundleException(Path bundle, String file, String problem) {
        super("model bundle " + bundle + ": " + file + ": " + problem);
        this.file = file;
    }

    public BundleException(Path bundle, String file, String problem, Throwable cause) {
        super("model bundle " + bundle + ": " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The file inside the bundle the problem is about ("." for the directory itself). */
    public String file() {
        return file;
    }
}
