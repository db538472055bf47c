package io.kaleidoscope.loadtest.http;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one open-loop step: requests are due on a fixed schedule ({@link Arrivals}) whatever the
 * server does, each is sent on its own virtual thread, and its latency is counted from the time
 * it was due, not from when it was sent. A server that stalls therefore shows its stall in every
 * request that should have gone out meanwhile (no coordinated omission). The concurrency cap only
 * bounds the client's sockets: a request held back by it is sent late and its wait is counted.
 */
final class OpenLoopRun {
    /** Latencies up to an hour, 3 significant digits, in microseconds. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final HttpClient client;
    private final URI target;
    private final RequestMix mix;
    private final RequestMix.Endpoint endpoint;
    private final String model;
    private final Integer beam;
    private final int concurrency;
    private final Duration timeout;

    OpenLoopRun(HttpClient client, URI target, RequestMix mix, RequestMix.Endpoint endpoint, String model, Integer beam,
                int concurrency, Duration timeout) {
        this.client = client;
        this.target = target;
        this.mix = mix;
        this.endpoint = endpoint;
        this.model = model;
        this.beam = beam;
        this.concurrency = concurrency;
        this.timeout = timeout;
    }

    /**
     * Offers {@code rate} requests per second for {@code seconds}, then waits for the answers (at
     * most the request timeout); requests still unanswered then count as "unfinished".
     *
     * @param progress where a live progress line goes (a terminal), or null for none
     */
    StepResult run(double rate, double seconds, Arrivals.Kind kind, long seed, PrintStream progress) throws InterruptedException {
        Recorder ok = new Recorder(HIGHEST_MICROS, 3);
        Recorder refused = new Recorder(HIGHEST_MICROS, 3);
        Histogram okTotal = new Histogram(HIGHEST_MICROS, 3);
        Histogram refusedTotal = new Histogram(HIGHEST_MICROS, 3);
        ConcurrentHashMap<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        AtomicLong inFlight = new AtomicLong();
        AtomicLong lastAnswer = new AtomicLong(System.nanoTime());
        Semaphore slots = new Semaphore(concurrency);
        Arrivals arrivals = new Arrivals(kind, rate, seed);
        Random texts = new Random(seed ^ 0x5DEECE66DL);

        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long end = start + (long) (seconds * 1e9);
        long sent = 0;
        Thread reporter = progress == null ? null
                : Thread.ofPlatform().daemon(true).name("loadtest-progress").start(() -> report(progress, rate, seconds, start, ok, okTotal,
                        outcomes, inFlight));
        ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
        for (long due = start; due < end; due += arrivals.nextGapNanos()) {
            waitUntil(due);
            long scheduled = due;
            HttpRequest request = request(mix.next(texts));
            inFlight.incrementAndGet();
            senders.execute(() -> send(request, scheduled, slots, ok, refused, outcomes, inFlight, lastAnswer));
            sent++;
        }
        senders.shutdown();
        if (!senders.awaitTermination(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS)) {
            senders.shutdownNow();
        }
        if (reporter != null) {
            reporter.interrupt();
            reporter.join();
            progress.print("\r\033[K");
        }
        synchronized (okTotal) {
            okTotal.add(ok.getIntervalHistogram());
        }
        refusedTotal.add(refused.getIntervalHistogram());
        SortedMap<String, Long> counts = new TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.get()));
        long answered = counts.values().stream().mapToLong(Long::longValue).sum();
        if (answered < sent) {
            counts.put("unfinished", sent - answered);
        }
        double busy = Math.max(0, (lastAnswer.get() - start) / 1e9);
        return new StepResult(rate, seconds, busy, sent, counts, okTotal, refusedTotal);
    }

    private HttpRequest request(String text) {
        return HttpRequest.newBuilder(target.resolve(endpoint.path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(RequestMix.body(endpoint, text, model, beam)))
                .build();
    }

    private void send(HttpRequest request, long scheduled, Semaphore slots, Recorder ok, Recorder refused,
                      ConcurrentHashMap<String, AtomicLong> outcomes, AtomicLong inFlight, AtomicLong lastAnswer) {
        String outcome;
        try {
            slots.acquire();
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                long now = System.nanoTime();
                lastAnswer.accumulateAndGet(now, Math::max);
                long micros = (now - scheduled) / 1_000;
                int status = response.statusCode();
                (status / 100 == 2 ? ok : refused).recordValue(Math.min(micros, HIGHEST_MICROS));
                outcome = Integer.toString(status);
            } finally {
                slots.release();
            }
        } catch (HttpTimeoutException e) {
            outcome = "timeout";
        } catch (IOException e) {
            outcome = "io";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            inFlight.decrementAndGet();
        }
        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
    }

    /** Sleeps until the given System.nanoTime(); a late scheduler sends at once (and the lateness is counted). */
    private static void waitUntil(long due) {
        for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** Once a second: elapsed time, answers so far, in flight, p99 of the last second. */
    private static void report(PrintStream out, double rate, double seconds, long start, Recorder ok, Histogram okTotal,
                               ConcurrentHashMap<String, AtomicLong> outcomes, AtomicLong inFlight) {
        Histogram interval = null;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            interval = ok.getIntervalHistogram(interval);
            synchronized (okTotal) {
                okTotal.add(interval);
            }
            long errors = outcomes.entrySet().stream().filter(e -> !e.getKey().startsWith("2")).mapToLong(e -> e.getValue().get()).sum();
            double elapsed = Math.min(seconds, (System.nanoTime() - start) / 1e9);
            out.printf("\r\033[K%8.1f req/s  %5.0f/%.0f s  ok %d  errors %d  in flight %d  p99(last s) %s",
                    rate, elapsed, seconds, okTotal.getTotalCount(), errors, inFlight.get(),
                    interval.getTotalCount() == 0 ? "-" : "%.1f ms".formatted(interval.getValueAtPercentile(99) / 1e3));
            out.flush();
        }
    }
}
