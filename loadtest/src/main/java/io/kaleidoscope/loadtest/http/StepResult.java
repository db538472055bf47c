package io.kaleidoscope.loadtest.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.HdrHistogram.Histogram;

/**
 * One open-loop step: the rate offered, what came back, and the latencies (in microseconds,
 * measured from each request's scheduled send time) of the successful and of the refused answers.
 *
 * @param offeredRate requests per second scheduled
 * @param seconds     length of the schedule
 * @param busySeconds from the first scheduled send to the last answer (at least {@code seconds})
 * @param sent        requests scheduled (all of them are sent, late if the concurrency cap holds them)
 * @param outcomes    answers by status code, plus "timeout" and "io" (connection failures) and
 *                    "unfinished" (no answer before the run ended)
 * @param ok          latencies of 2xx answers
 * @param refused     latencies of the other answers
 * @param timeline    second by second: answers and latency percentiles
 */
record StepResult(double offeredRate, double seconds, double busySeconds, long sent, SortedMap<String, Long> outcomes, Histogram ok, Histogram refused,
                  List<StepTally.Second> timeline) {

    long okCount() {
        return ok.getTotalCount();
    }

    /**
     * Successful answers per second, over the time it took to answer them: a server that queues
     * what it cannot handle answers late, and its throughput shows that instead of the offered rate.
     */
    double achievedRate() {
        return okCount() / Math.max(seconds, busySeconds);
    }

    /** Everything that was not a 2xx answer. */
    long errorCount() {
        return sent - okCount();
    }

    double errorShare() {
        return sent == 0 ? 0 : (double) errorCount() / sent;
    }

    /** p50, p90, p99, p99.9, max and mean of a histogram in milliseconds (NaN when empty). */
    static Map<String, Double> percentilesMillis(Histogram h) {
        Map<String, Double> p = new LinkedHashMap<>();
        boolean empty = h.getTotalCount() == 0;
        p.put("p50", empty ? Double.NaN : h.getValueAtPercentile(50) / 1e3);
        p.put("p90", empty ? Double.NaN : h.getValueAtPercentile(90) / 1e3);
        p.put("p99", empty ? Double.NaN : h.getValueAtPercentile(99) / 1e3);
        p.put("p99.9", empty ? Double.NaN : h.getValueAtPercentile(99.9) / 1e3);
        p.put("max", empty ? Double.NaN : h.getMaxValue() / 1e3);
        p.put("mean", empty ? Double.NaN : h.getMean() / 1e3);
        return p;
    }

    /** Errors by status as "503:12 timeout:1", or "-" when there were none. */
    String errorSummary() {
        StringBuilder s = new StringBuilder();
        outcomes.forEach((status, count) -> {
            if (!status.startsWith("2")) {
                s.append(s.isEmpty() ? "" : " ").append(status).append(':').append(count);
            }
        });
        return s.isEmpty() ? "-" : s.toString();
    }
}
