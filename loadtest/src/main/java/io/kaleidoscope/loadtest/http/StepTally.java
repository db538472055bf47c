package io.kaleidoscope.loadtest.http;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one step has recorded so far. Sender threads record answers concurrently (HdrHistogram
 * {@link Recorder}s, lock-free for writers); one reader thread calls {@link #tick} once a second
 * to fold the last second into the totals and the timeline, and {@link #finish} at the end.
 */
final class StepTally {
    /** Latencies up to an hour, 3 significant digits, in microseconds. */
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    /** One second of the run: answers in it and the latency of its successful ones. */
    record Second(double at, long ok, long errors, double p50Millis, double p99Millis) {}

    private final long start;
    private final Recorder ok = new Recorder(HIGHEST_MICROS, 3);
    private final Recorder refused = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram okTotal = new Histogram(HIGHEST_MICROS, 3);
    private final Histogram refusedTotal = new Histogram(HIGHEST_MICROS, 3);
    private final ConcurrentHashMap<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong lastAnswer;
    private final List<Second> timeline = new ArrayList<>();
    private Histogram interval;
    private long errorsBefore;

    StepTally(long start) {
        this.start = start;
        this.lastAnswer = new AtomicLong(start);
    }

    void sending() {
        inFlight.incrementAndGet();
    }

    long inFlight() {
        return inFlight.get();
    }

    /** An HTTP answer, with its latency from the scheduled send. */
    void answered(int status, long nanosSinceScheduled) {
        lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
        long micros = Math.min(nanosSinceScheduled / 1_000, HIGHEST_MICROS);
        if (status / 100 == 2) {
            ok.recordValue(micros);
        } else {
            refused.recordValue(micros);
            errors.incrementAndGet();
        }
        count(Integer.toString(status));
    }

    /** No HTTP answer: "timeout" or "io". */
    void failed(String outcome) {
        errors.incrementAndGet();
        count(outcome);
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
        inFlight.decrementAndGet();
    }

    /** Folds the answers since the last tick into the totals and appends them to the timeline. */
    Second tick() {
        interval = ok.getIntervalHistogram(interval);
        okTotal.add(interval);
        refusedTotal.add(refused.getIntervalHistogram());
        long errorsNow = errors.get();
        boolean empty = interval.getTotalCount() == 0;
        Second second = new Second((System.nanoTime() - start) / 1e9, interval.getTotalCount(), errorsNow - errorsBefore,
                empty ? Double.NaN : interval.getValueAtPercentile(50) / 1e3, empty ? Double.NaN : interval.getValueAtPercentile(99) / 1e3);
        errorsBefore = errorsNow;
        timeline.add(second);
        return second;
    }

    long okSoFar() {
        return okTotal.getTotalCount();
    }

    long errorsSoFar() {
        return errors.get();
    }

    /** The step's result; call once the senders are done (or given up on). */
    StepResult finish(double rate, double seconds, long sent) {
        tick();
        SortedMap<String, Long> counts = new TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.get()));
        long answered = counts.values().stream().mapToLong(Long::longValue).sum();
        if (answered < sent) {
            counts.put("unfinished", sent - answered);
        }
        double busy = Math.max(0, (lastAnswer.get() - start) / 1e9);
        return new StepResult(rate, seconds, busy, sent, counts, okTotal, refusedTotal, List.copyOf(timeline));
    }
}
