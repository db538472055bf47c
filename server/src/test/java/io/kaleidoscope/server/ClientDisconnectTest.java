package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that hang up while their texts are queued or decoding. Helidon gives a handler no
 * signal of a closed connection, so their work is finished (or dropped at the deadline); what must
 * hold is that every queue slot comes back, nothing stays "in flight" and the next clients are
 * served. The queue here holds 8 texts, so one leaked slot per hang-up would show at once.
 */
class ClientDisconnectTest {
    private static final int QUEUE = 8;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("kaleido.queueTexts", Integer.toString(QUEUE), "kaleido.maxTexts", "4", "kaleido.maxWaitMs", "20"));
        server.models.warmUp();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void sendAndHangUp(String text) throws Exception {
        byte[] body = ("{\"texts\": [\"" + text + "\"], \"beam\": 4}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("localhost", server.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/translate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            Thread.sleep(5);
        }   // closed before any answer
    }

    private static double queuedTexts() throws Exception {
        String metrics = server.get("/metrics").body();
        return metrics.lines().filter(l -> l.startsWith("kaleido_queue_texts{")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void hangUpsGiveTheirQueueSlotsBackAndTheNextClientsAreServed() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < QUEUE; i++) {
                sendAndHangUp("Die Datei wurde nicht gefunden, bitte versuchen Sie es später noch einmal " + round + i + ".");
            }
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((queuedTexts() > 0 || Main.DRAIN.running() > 1) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0.0, queuedTexts(), "queue slots still held after the hang-ups");
        // The whole queue is free again: QUEUE concurrent texts are all accepted and translated.
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < QUEUE; i++) {
            answers.add(server.postAsync("/v1/translate", "{\"texts\": [\"Datei öffnen\"], \"beam\": 1}"));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> r = answer.get();
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"translations\""), r.body());
        }
    }
}
