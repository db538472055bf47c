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

    /** Sends one request on a new connection, reads its answer, then waits up to waitMillis for the server to close it. */
    private static boolean closedWithin(TestServer s, long waitMillis) throws Exception {
        try (Socket socket = new Socket("localhost", s.server.port())) {
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertEquals("HTTP/1.1 200", new String(in.readNBytes(12), StandardCharsets.US_ASCII));
            socket.setSoTimeout((int) waitMillis);
            try {
                while (in.read() >= 0) {
                    // the rest of the answer, then the close
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }
    }

    @Test
    void aKeptAliveConnectionWithoutRequestsIsClosedAfterTheIdleTimeout() throws Exception {
        try (TestServer quick = TestServer.start(Map.of("kaleido.idleTimeoutMs", "500"))) {
            assertTrue(closedWithin(quick, 5_000), "an idle connection outlived a 500 ms idle timeout by 5 s");
        }
        try (TestServer patient = TestServer.start(Map.of())) {
            assertTrue(!closedWithin(patient, 1_500), "with the default 30 s idle timeout the connection stays open");
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
