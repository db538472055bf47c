package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** kaleido.accessLog = on: one line per request through the access-log logger; off (the default): none. */
class AccessLogTest {

    /** Runs a server with the settings, sends one translation and one unknown path, returns the access-log lines. */
    private static List<String> accessLines(Map<String, String> settings) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        // The feature logs to io.helidon.webserver.AccessLog.<socket>: its parent sees every record.
        Logger parent = Logger.getLogger("io.helidon.webserver.AccessLog");
        parent.addHandler(capture);
        try (TestServer s = TestServer.start(settings)) {
            assertEquals(200, s.post("/translate", "{\"q\": \"Datei öffnen\"}").statusCode());
            assertEquals(404, s.get("/nowhere").statusCode());
        } finally {
            parent.removeHandler(capture);
        }
        return lines;
    }

    @Test
    void onLogsEveryRequestWithoutItsText() throws Exception {
        List<String> lines = accessLines(Map.of("kaleido.accessLog", "on"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"POST /translate HTTP/1.1\" 200 ")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"GET /nowhere HTTP/1.1\" 404 ")), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("Datei")), "the texts stay out of the log: " + lines);
    }

    @Test
    void offByDefault() throws Exception {
        assertEquals(List.of(), accessLines(Map.of()));
    }
}
