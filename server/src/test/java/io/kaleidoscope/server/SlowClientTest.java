package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Clients that hold connections open: idle ones are closed, and connections are capped. */
class SlowClientTest {

    @Test
    void aKeptAliveConnectionWithoutRequestsIsClosedAfterTheIdleTimeout() throws Exception {
        try (TestServer s = TestServer.start(Map.of("kaleido.idleTimeoutMs", "500"));
             Socket socket = new Socket("localhost", s.server.port())) {
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", answer);
            long start = System.nanoTime();
            while (in.read() >= 0) {
                // the rest of the answer, then the close
            }
            long closedAfter = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closedAfter >= 400 && closedAfter < 5_000, "closed after " + closedAfter + " ms");
        }
    }

    @Test
    void connectionsBeyondTheCapWaitUntilOneCloses() throws Exception {
        try (TestServer s = TestServer.start(Map.of("kaleido.maxConnections", "3"))) {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Socket idle = new Socket("localhost", s.server.port());
                idle.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                idle.setSoTimeout(5_000);
                idle.getInputStream().read();   // served: the connection is accepted and now kept alive
                held.add(idle);
            }
            try (Socket fourth = new Socket("localhost", s.server.port())) {
                OutputStream out = fourth.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                fourth.setSoTimeout(1_000);
                boolean servedWhileFull;
                try {
                    servedWhileFull = fourth.getInputStream().read() >= 0;
                } catch (SocketTimeoutException e) {
                    servedWhileFull = false;
                }
                assertTrue(!servedWhileFull, "a fourth connection was served past a cap of 3");
                held.remove(0).close();
                fourth.setSoTimeout(5_000);
                byte[] answer = fourth.getInputStream().readNBytes(12);
                assertEquals("HTTP/1.1 200", new String(answer, StandardCharsets.US_ASCII));
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }
}
