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

    /** Translations and where their time went: waiting for the engine thread, then on it. */
    public record Timed(List<String> texts, long queueNanos, long inferenceNanos) {}

    public CompletableFuture<List<String>> submit(List<String> texts, SearchOptions options) {
        return submitTimed(texts, options).thenApply(Timed::texts);
    }

    /** As {@link #submit}, with the queue wait and the inference time of this call. */
    public CompletableFuture<Timed> submitTimed(List<String> texts, SearchOptions options) {
        long submitted = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            List<String> out = translator.translate(texts, options);
            return new Timed(out, start - submitted, System.nanoTime() - start);
        }, engineThread);
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
