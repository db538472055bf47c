package io.kaleidoscope;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A thread-safe facade over one {@link Translator}: every call is queued to the translator's own
 * platform thread (the engine thread) and runs there, one at a time. Callers on any thread,
 * virtual threads included, get a future or block on it; a JNI call never pins their carrier.
 */
public final class ConcurrentTranslator implements AutoCloseable {
    private final Translator translator;
    private final ExecutorService engineThread;

    public ConcurrentTranslator(Translator translator, String threadName) {
        this.translator = translator;
        this.engineThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon(true).factory());
    }

    public CompletableFuture<List<String>> submit(List<String> texts, SearchOptions options) {
        return CompletableFuture.supplyAsync(() -> translator.translate(texts, options), engineThread);
    }

    /** Blocks until the texts are translated; rethrows the engine's exception. */
    public List<String> translate(List<String> texts, SearchOptions options) {
        try {
            return submit(texts, options).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a translation", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public SearchOptions defaultOptions() {
        return translator.defaultOptions();
    }

    /** Stops the engine thread after the queued work, then closes the translator. */
    @Override
    public void close() {
        engineThread.shutdown();
        try {
            engineThread.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        translator.close();
    }
}
