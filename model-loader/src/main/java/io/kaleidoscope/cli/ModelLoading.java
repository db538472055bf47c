package io.kaleidoscope.cli;

import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.BundleException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Loading the model for a command-line tool: whatever goes wrong is one {@code error: …} line on
 * stderr and exit status 1, never a stack trace. A damaged bundle is a {@link BundleException}
 * whose message already names the bundle, the file and the problem; anything else (a native
 * library that will not load, a defect the loader does not know yet, memory) is reported with
 * its type, as a failure to load that bundle.
 */
final class ModelLoading {
    private ModelLoading() {}

    static Translator loadOrExit(Path model, Supplier<Translator> load) {
        try {
            return load.get();
        } catch (RuntimeException | Error e) {
            System.err.println(errorLine(model, e));
            System.exit(1);
            throw new AssertionError("unreachable");
        }
    }

    /** The one line a failure to load {@code model} prints. */
    static String errorLine(Path model, Throwable e) {
        if (e instanceof BundleException) {
            return "error: " + e.getMessage();
        }
        String message = e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("");
        return "error: model bundle " + model + ": cannot load it: " + e.getClass().getName() + message;
    }
}
