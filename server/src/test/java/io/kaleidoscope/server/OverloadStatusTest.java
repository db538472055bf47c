package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 503 and 504 over HTTP: an engine whose decoding of "langsam" (slow) blocks until released, a
 * queue of 2 texts and a 400 ms deadline.
 */
class OverloadStatusTest {
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("kaleido.queueTexts", "2", "kaleido.maxTexts", "2", "kaleido.deadlineMs", "400",
                "kaleido.maxWaitMs", "0"), translator -> (texts, options) -> {
            if (texts.contains("langsam")) {
                try {
                    RELEASE.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return translator.translate(texts, options);
        });
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        server.close();
    }

    private static CompletableFuture<HttpResponse<String>> send(String text) {
        return server.postAsync("/translate", "{\"q\": \"" + text + "\"}");
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndAPassedDeadline504() throws Exception {
        // Two texts fill the queue: one decoding (blocked), one waiting behind it.
        CompletableFuture<HttpResponse<String>> first = send("langsam");
        CompletableFuture<HttpResponse<String>> second = send("langsam");
        Thread.sleep(100);
        HttpResponse<String> shed = send("Datei öffnen").get();
        assertEquals(503, shed.statusCode(), shed.body());
        assertEquals("1", shed.headers().firstValue("Retry-After").orElse(""));
        assertTrue(Json.MAPPER.readTree(shed.body()).get("error").asText().contains("queue is full"), shed.body());

        for (CompletableFuture<HttpResponse<String>> late : java.util.List.of(first, second)) {
            HttpResponse<String> r = late.get();
            assertEquals(504, r.statusCode(), r.body());
            assertEquals("translation did not finish within the deadline of 400 ms", Json.MAPPER.readTree(r.body()).get("error").asText());
        }
        RELEASE.countDown();
        // The blocked batch ends, its slots come back, and the next request is translated.
        long giveUp = System.nanoTime() + 10_000_000_000L;
        HttpResponse<String> ok;
        do {
            ok = send("Datei öffnen").get();
        } while (ok.statusCode() == 503 && System.nanoTime() < giveUp);
        assertEquals(200, ok.statusCode(), ok.body());
    }
}
