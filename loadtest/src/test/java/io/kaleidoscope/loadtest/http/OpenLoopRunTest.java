package io.kaleidoscope.loadtest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The open-loop run against a stub server that answers one request at a time. */
class OpenLoopRunTest {
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    /** A server on one thread: a request that stalls holds up every request behind it. */
    private URI stub(int stallOnRequest, long stallMillis, int refuseEvery) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/", exchange -> {
            int n = requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            if (n == stallOnRequest) {
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = refuseEvery > 0 && n % refuseEvery == 0 ? 503 : 200;
            byte[] body = "{}".getBytes();
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static OpenLoopRun run(URI target, int concurrency, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        RequestMix mix = new RequestMix(Map.of("short", List.of("Datei öffnen")), Map.of("short", 1.0));
        return new OpenLoopRun(client, target, mix, RequestMix.Endpoint.LIBRE, null, null, concurrency, timeout);
    }

    @Test
    void aStallShowsInEveryRequestDueDuringItNotOnlyInTheStalledOne() throws Exception {
        URI target = stub(10, 600, 0);
        StepResult result = run(target, 1, Duration.ofSeconds(10)).run(50, 2, Arrivals.Kind.CONSTANT, 1, null);
        assertEquals(100, result.sent());
        assertEquals(100, result.okCount());
        // About 30 requests were due during the 600 ms stall; timed from their schedule, each waited.
        // A closed-loop client timing from its own send would have recorded one slow request.
        long slow = result.okCount() - countAtOrBelow(result, 200_000);
        assertTrue(slow >= 15, "requests slower than 200 ms: " + slow);
        assertTrue(result.ok().getMaxValue() >= 550_000, "max " + result.ok().getMaxValue() + " µs");
        assertEquals(result.okCount(), result.timeline().stream().mapToLong(StepTally.Second::ok).sum(), "the timeline holds every answer");
        assertTrue(result.timeline().size() >= 2, "one point per second: " + result.timeline());
        assertTrue(result.busySeconds() > 1.9 && result.busySeconds() < 3, "answers end soon after the schedule: " + result.busySeconds());
    }

    private static long countAtOrBelow(StepResult result, long micros) {
        return result.ok().getCountBetweenValues(0, micros);
    }

    @Test
    void answersAreCountedByStatusAndRefusalsKeptApartFromSuccesses() throws Exception {
        URI target = stub(-1, 0, 4);
        StepResult result = run(target, 8, Duration.ofSeconds(10)).run(40, 1, Arrivals.Kind.CONSTANT, 1, null);
        assertEquals(40, result.sent());
        assertEquals(Map.of("200", 30L, "503", 10L), result.outcomes());
        assertEquals(30, result.okCount());
        assertEquals(10, result.refused().getTotalCount());
        // Rate over the schedule's second, or longer when the last answer came after it (a slow machine).
        assertEquals(30.0 / Math.max(1.0, result.busySeconds()), result.achievedRate(), 1e-9);
        assertEquals("503:10", result.errorSummary());
        assertEquals(0.25, result.errorShare(), 1e-9);
        assertTrue(LoadTestMain.saturated(result), "25% errors is past saturation");
    }

    @Test
    void requestsPastTheTimeoutCountAsTimeouts() throws Exception {
        URI target = stub(1, 1500, 0);
        StepResult result = run(target, 4, Duration.ofMillis(300)).run(5, 0.2, Arrivals.Kind.CONSTANT, 1, null);
        assertEquals(1, result.sent());
        assertEquals(Map.of("timeout", 1L), result.outcomes());
        assertEquals(0, result.okCount());
    }

    @Test
    void anUnreachableServerGivesIoErrors() throws Exception {
        URI target = stub(-1, 0, 0);
        server.stop(0);
        server = null;
        StepResult result = run(target, 4, Duration.ofSeconds(2)).run(10, 0.3, Arrivals.Kind.CONSTANT, 1, null);
        assertEquals(3, result.sent());
        assertEquals(Map.of("io", 3L), result.outcomes());
    }
}
