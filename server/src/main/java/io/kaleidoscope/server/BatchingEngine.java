package io.kaleidoscope.server;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import io.kaleidoscope.search.Cancellation;
import io.kaleidoscope.text.TextSegments;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One model's engine: a bounded queue of translation jobs and one platform thread that owns the
 * {@link Translator} and decodes jobs together, so concurrent requests share decoder steps.
 *
 * <p>Who touches what: request threads (virtual) only {@link #submit}: they take queue permits for
 * their texts (none left: 503, shed at once) and enqueue a job; they never block the engine. The
 * permits count texts queued or being decoded and come back when a job ends, however it ends. The
 * engine thread takes the oldest job, then keeps adding queued jobs with the same search options
 * until the batch holds {@code batchChars} characters or {@code maxWaitMillis} has passed since
 * it took the first, translates all their texts in one call, and completes each job's future. A
 * failure fails only that batch's jobs; a job whose caller gave up (deadline) is skipped.
 *
 * <p>Besides the count of texts, the queue is bounded by time: the engine keeps a moving average
 * of its decoding time per character for each beam width, and a request whose texts would wait longer than
 * {@code maxQueueWaitMillis} behind the characters already queued is refused at once (503) rather
 * than accepted only to miss its deadline; one that alone would take longer is refused with 413.
 * Characters here are those of words: whitespace and other gaps cost the decoder nothing. The pace
 * is learnt only from batches of at least a quarter of {@code batchChars}: a batch of a few short
 * sentences costs mostly its fixed per-sentence work, and its pace per character (several times a
 * full batch's) would refuse long texts the engine translates well in time. Under load the
 * batches are full, so the pace that bounds the queue is the one that matters. A request with more
 * texts than the queue holds can never be queued, so it gets 413, not a 503 to retry.
 * Overload is thus shed in microseconds, and the requests accepted are the ones that can still be
 * answered in time. A batch whose callers have all given up stops at the next decoder step
 * ({@link Cancellation}), so an abandoned batch does not hold the engine.
 */
final class BatchingEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BatchingEngine.class.getName());

    /**
     * The outcome of one job: a translation per text and, per text, its alternatives (empty lists
     * when none were asked for).
     */
    record Result(List<String> texts, List<List<String>> alternatives, long queueNanos, long inferenceNanos, int batchTexts) {}

    /**
     * Queued texts; {@code chars} counts their characters that are not gaps ({@link #wordChars});
     * {@code alternatives} per text were asked for (0: none).
     */
    private record Job(List<String> texts, int chars, SearchOptions options, int alternatives, long enqueued,
                       CompletableFuture<Result> future) {}

    /** Characters the decoder works on: those that are not whitespace or other gaps ({@link TextSegments#isGap}). */
    static int wordChars(List<String> texts) {
        int chars = 0;
        for (String text : texts) {
            for (int i = 0; i < text.length(); i++) {
                if (!TextSegments.isGap(text.charAt(i))) {
                    chars++;
                }
            }
        }
        return chars;
    }

    /** The decoding call; the translator's own, or a stand-in that fails on purpose in tests. */
    interface Decode {
        List<String> translate(List<String> texts, SearchOptions options);
    }

    private final Translator translator;
    private final Decode decode;
    private final String name;
    private final ServerMetrics metrics;
    private final BlockingQueue<Job> queue;
    private final Semaphore permits;
    private final int capacity;
    private final int batchChars;
    /** Batches of fewer characters do not change the pace (mostly fixed costs; see the class comment). */
    private final int minPaceChars;
    private final long maxWaitNanos;
    private final long maxQueueWaitNanos;
    /**
     * Moving average of decoding nanoseconds per character, per beam width (a beam of 16 costs
     * several times a greedy search); 0 until a batch with that beam ran. Written by the engine
     * thread, read by request threads (as raw long bits, so a read never sees half a write).
     */
    private final java.util.concurrent.atomic.AtomicLongArray nanosPerChar = new java.util.concurrent.atomic.AtomicLongArray(65);
    /** Characters queued or being decoded. */
    private final java.util.concurrent.atomic.AtomicLong queuedChars = new java.util.concurrent.atomic.AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    /** A job taken from the queue that could not join the last batch (other options); engine thread only. */
    private Job carried;

    BatchingEngine(Translator translator, String name, int queueTexts, int batchChars, long maxWaitMillis,
                   ServerMetrics metrics) {
        this(translator, translator::translate, name, queueTexts, batchChars, maxWaitMillis, 0, metrics);
    }

    /**
     * @param maxQueueWaitMillis refuse texts expected to wait longer than this (0: bounded by count only)
     */
    BatchingEngine(Translator translator, Decode decode, String name, int queueTexts, int batchChars, long maxWaitMillis,
                   long maxQueueWaitMillis, ServerMetrics metrics) {
        this.translator = translator;
        this.decode = decode;
        this.name = name;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(queueTexts);
        this.permits = new Semaphore(queueTexts);
        this.capacity = queueTexts;
        this.batchChars = batchChars;
        this.minPaceChars = Math.max(1, batchChars / 4);
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        this.maxQueueWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxQueueWaitMillis);
        this.thread = Thread.ofPlatform().name("engine-" + name).daemon(true).start(this::loop);
    }

    Translator translator() {
        return translator;
    }

    /**
     * Drops the measured pace, so the next batch of each beam width measures it afresh. For after
     * the warm-up: its batches ran before the JIT had compiled the engine's loops and can be many
     * times slower than the engine will be; a pace learnt from them would refuse (413) texts the
     * engine translates well in time, and refused requests never run a batch to correct it.
     */
    void forgetPace() {
        for (int beam = 0; beam < nanosPerChar.length(); beam++) {
            nanosPerChar.set(beam, 0);
        }
    }

    /** Texts queued or being decoded now (for the queue-depth gauge). */
    int queuedTexts() {
        return capacity - permits.availablePermits();
    }

    /**
     * Queues the texts; the future completes on the engine thread.
     *
     * @throws ApiException 503 when the queue has no room for this many texts now, or they would wait
     *                      too long; 413 when they never could (more texts than the queue holds, or
     *                      alone longer than the wait limit)
     */
    CompletableFuture<Result> submit(List<String> texts, SearchOptions options) {
        return submit(texts, options, 0);
    }

    /**
     * As {@link #submit(List, SearchOptions)}, with up to {@code alternatives} alternative
     * translations of each text (the options' beam must be wider).
     */
    CompletableFuture<Result> submit(List<String> texts, SearchOptions options, int alternatives) {
        if (alternatives > 0 && options.beam() <= alternatives) {
            throw new IllegalArgumentException(alternatives + " alternatives need a beam wider than " + options.beam());
        }
        if (texts.size() > capacity) {
            throw new ApiException(413, ("this request holds %d texts (with format=html, each text node counts), more than the "
                    + "%d the queue holds (kaleido.queueTexts); send fewer").formatted(texts.size(), capacity));
        }
        Job job = new Job(List.copyOf(texts), wordChars(texts), options, alternatives, System.nanoTime(), new CompletableFuture<>());
        int chars = job.chars();
        double pace = Double.longBitsToDouble(nanosPerChar.get(options.beam()));
        if (maxQueueWaitNanos > 0 && pace > 0) {
            double alone = chars * pace;
            if (alone > maxQueueWaitNanos) {
                throw new ApiException(413, "these texts would take about %.1f s to translate, over the limit of %.1f s (kaleido.maxQueueWaitMs); send fewer or shorter texts"
                        .formatted(alone / 1e9, maxQueueWaitNanos / 1e9));
            }
            double expected = (queuedChars.get() + chars) * pace;
            if (expected > maxQueueWaitNanos) {
                throw new ApiException(503, "the translation queue is %.1f s deep (limit %.1f s, kaleido.maxQueueWaitMs); retry shortly"
                        .formatted(expected / 1e9, maxQueueWaitNanos / 1e9));
            }
        }
        if (!running || !permits.tryAcquire(texts.size())) {
            throw new ApiException(503, "the translation queue is full; retry shortly");
        }
        queuedChars.addAndGet(chars);
        if (!queue.offer(job)) {
            release(job);
            throw new ApiException(503, "the translation queue is full; retry shortly");
        }
        return job.future();
    }

    private static boolean allGaveUp(List<Job> batch) {
        for (Job job : batch) {
            if (!job.future().isDone()) {
                return false;
            }
        }
        return true;
    }

    /** Gives a job's queue room back (once, when it was decoded, failed or dropped). */
    private void release(Job job) {
        queuedChars.addAndGet(-job.chars());
        permits.release(job.texts().size());
    }

    private void loop() {
        while (running) {
            try {
                List<Job> batch = nextBatch();
                if (!batch.isEmpty()) {
                    run(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private List<Job> nextBatch() throws InterruptedException {
        List<Job> batch = new ArrayList<>();
        Job first = carried != null ? carried : queue.poll(200, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
            return batch;
        }
        if (first.future().isDone()) {
            release(first);   // its caller gave up (deadline)
            return batch;
        }
        batch.add(first);
        int chars = first.chars();
        long deadline = System.nanoTime() + maxWaitNanos;
        while (chars < batchChars) {
            long wait = deadline - System.nanoTime();
            Job next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            if (next.future().isDone()) {
                release(next);   // its caller gave up
                continue;
            }
            if (!next.options().equals(first.options()) || next.alternatives() != first.alternatives()) {
                carried = next;   // decoded in the next batch, first in line
                break;
            }
            batch.add(next);
            chars += next.chars();
        }
        return batch;
    }

    private void run(List<Job> batch) {
        List<String> texts = new ArrayList<>();
        int chars = 0;
        for (Job job : batch) {
            texts.addAll(job.texts());
            chars += job.chars();
        }
        long start = System.nanoTime();
        try {
            translator.timings().reset();
            // Checked before every decoder step: a plain loop, so the check allocates nothing.
            // Also stopped when the engine closes, so the translator is never closed under a running search.
            SearchOptions options = batch.get(0).options();
            int alternatives = batch.get(0).alternatives();
            List<String> out;
            List<List<String>> others;
            if (alternatives == 0) {
                out = Cancellation.stoppable(() -> !running || allGaveUp(batch), () -> decode.translate(texts, options));
                others = java.util.Collections.nCopies(texts.size(), List.of());
            } else {
                // Alternatives come from the translator itself; tests' Decode stand-ins replace plain translations only.
                List<Translator.Translation> translations = Cancellation.stoppable(() -> !running || allGaveUp(batch),
                        () -> translator.translateWithAlternatives(texts, options, alternatives));
                out = translations.stream().map(Translator.Translation::text).toList();
                others = translations.stream().map(Translator.Translation::alternatives).toList();
            }
            long inference = System.nanoTime() - start;
            if (chars >= minPaceChars) {
                int beam = options.beam();
                double perChar = (double) inference / chars;
                double before = Double.longBitsToDouble(nanosPerChar.get(beam));
                nanosPerChar.set(beam, Double.doubleToRawLongBits(before == 0 ? perChar : 0.8 * before + 0.2 * perChar));
            }
            if (metrics != null) {
                metrics.batch(name, texts.size(), translator.timings().snapshot());
            }
            int next = 0;
            for (Job job : batch) {
                List<String> mine = out.subList(next, next + job.texts().size());
                List<List<String>> myAlternatives = others.subList(next, next + job.texts().size());
                next += job.texts().size();
                // Room goes back before the caller can see the result, so it can queue again at once.
                release(job);
                job.future().complete(new Result(List.copyOf(mine), List.copyOf(myAlternatives), start - job.enqueued(),
                        inference, texts.size()));
            }
        } catch (java.util.concurrent.CancellationException e) {
            LOG.log(Level.INFO, "a batch of {0} texts was stopped after {1} ms: {2}", texts.size(),
                    (System.nanoTime() - start) / 1_000_000, running ? "every caller had given up" : "the engine is closing");
            for (Job job : batch) {
                release(job);
                job.future().completeExceptionally(new ApiException(503, "the server is shutting down"));   // a no-op for those who gave up
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "a batch of " + batch.size() + " requests failed; the engine keeps serving", e);
            for (Job job : batch) {
                release(job);
                job.future().completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        // A running batch stops at its next decoder step (its stop check reads running), so this
        // wait is short; the translator's native resources must outlive every search using them.
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (Job job; (job = queue.poll()) != null; ) {
            release(job);
            job.future().completeExceptionally(new ApiException(503, "the server is shutting down"));
        }
        translator.close();
    }
}
