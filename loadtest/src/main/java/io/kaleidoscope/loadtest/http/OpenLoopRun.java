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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one open-loop step: requests are due on a fixed schedule ({@link Arrivals}) whatever the
 * server does, each is sent on its own virtual thread, and its latency is counted from the time
 * it was due, not from when it was sent. A server that stalls therefore shows its stall in every
 * request that should have gone out meanwhile (no coordinated omission). The concurrency cap only
 * bounds the client's sockets: a request held back by it is sent late and its wait is counted.
 */
final class OpenLoopRun {
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
        Semaphore slots = new Semaphore(concurrency);
        Arrivals arrivals = new Arrivals(kind, rate, seed);
        Random texts = new Random(seed ^ 0x5DEECE66DL);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long end = start + (long) (seconds * 1e9);
        StepTally tally = new StepTally(start);
        Thread ticker = Thread.ofPlatform().daemon(true).name("loadtest-ticker").start(() -> tickEverySecond(tally, progress, rate, seconds));
        long sent = 0;
        ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
        for (long due = start; due < end; due += arrivals.nextGapNanos()) {
            waitUntil(due);
            long scheduled = due;
            HttpRequest request = request(mix.next(texts));
            tally.sending();
            senders.execute(() -> send(request, scheduled, slots, tally));
            sent++;
        }
        senders.shutdown();
        if (!senders.awaitTermination(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS)) {
            senders.shutdownNow();
        }
        ticker.interrupt();
        ticker.join();
        if (progress != null) {
            progress.print("\r\033[K");
        }
        return tally.finish(rate, seconds, sent);
    }

    private HttpRequest request(String text) {
        return HttpRequest.newBuilder(target.resolve(endpoint.path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(RequestMix.body(endpoint, text, model, beam)))
                .build();
    }

    private void send(HttpRequest request, long scheduled, Semaphore slots, StepTally tally) {
        try {
            slots.acquire();
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                tally.answered(response.statusCode(), System.nanoTime() - scheduled);
            } finally {
                slots.release();
            }
        } catch (HttpTimeoutException e) {
            tally.failed("timeout");
        } catch (IOException e) {
            tally.failed("io");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // given up on at the end of the run: counted as unfinished
        }
    }

    /** Sleeps until the given System.nanoTime(); a late scheduler sends at once (and the lateness is counted). */
    private static void waitUntil(long due) {
        for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** Once a second: the tally's timeline, and on a terminal a progress line. */
    private static void tickEverySecond(StepTally tally, PrintStream progress, double rate, double seconds) {
        long start = System.nanoTime();
        for (long next = start + 1_000_000_000L; ; next += 1_000_000_000L) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            StepTally.Second second = tally.tick();
            if (progress != null) {
                progress.printf("\r\033[K%8.1f req/s  %5.0f/%.0f s  ok %d  errors %d  in flight %d  p99(last s) %s", rate,
                        Math.min(seconds, second.at()), seconds, tally.okSoFar(), tally.errorsSoFar(), tally.inFlight(),
                        Double.isNaN(second.p99Millis()) ? "-" : "%.1f ms".formatted(second.p99Millis()));
                progress.flush();
            }
        }
    }
}
