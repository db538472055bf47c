package io.kaleidoscope;

import io.kaleidoscope.search.Cancellation;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A thread-safe facade over one {@link Translator}: every call is queued to the translator's own
 * platform thread (the engine thread) and runs there, one at a time. Callers on any thread,
 * virtual threads included, get a future or block on it; a JNI call never pins their carrier.
 */
public final class ConcurrentTranslator implements AutoCloseable {
    private final Translator translator;
    private final ExecutorService engineThread;
    /** Set when close() has waited long enough: the searches still running or queued stop at their next step. */
    private volatile boolean stopping;
    private final java.time.Duration closeGrace;

    public ConcurrentTranslator(Translator translator, String threadName) {
        this(translator, threadName, java.time.Duration.ofMinutes(1));
    }

    /** @param closeGrace how long {@link #close()} lets queued and running work finish before stopping it */
    ConcurrentTranslator(Translator translator, String threadName, java.time.Duration closeGrace) {
        this.closeGrace = closeGrace;
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
        try {
            return CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                List<String> out = Cancellation.stoppable(() -> stopping, () -> translator.translate(texts, options));
                return new Timed(out, start - submitted, System.nanoTime() - start);
            }, engineThread);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("this translator is closed", e);
        }
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

    /**
     * Stops the engine thread after the queued work, then closes the translator. Work still
     * running after a minute (the close grace) is stopped at its next decoder step (its callers get a
     * CancellationException): the translator's native resources are freed only once no search
     * can touch them any more.
     */
    @Override
    public void close() {
        engineThread.shutdown();
        boolean interrupted = false;
        try {
            if (!engineThread.awaitTermination(closeGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                stopping = true;
            }
        } catch (InterruptedException e) {
            stopping = true;
            interrupted = true;
        }
        // Each remaining search stops within one step now; wait for that, however long it is.
        while (!engineThread.isTerminated()) {
            try {
                engineThread.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        translator.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
