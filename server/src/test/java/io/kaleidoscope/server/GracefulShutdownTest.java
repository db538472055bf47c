package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real server process: SIGTERM lets the request in flight finish, then the process exits 0. */
class GracefulShutdownTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();

    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigtermFinishesInFlightRequestsAndExitsZero() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process server = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dkaleido.port=0", "-Dkaleido.models=" + MODELS.resolve("tiny-kmatrix"), "-Dkaleido.maxWaitMs=2000",
                "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("listening on (http://localhost:\\d+)");
            String base = null;
            java.util.List<String> startLog = new java.util.ArrayList<>();
            while (base == null) {
                String line = out.readLine();
                if (line == null) {
                    break;
                }
                startLog.add(line);
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    base = m.group(1);
                }
            }
            assertTrue(base != null, "the server did not start");
            // Logging as server/src/main/resources/logging.properties sets it: one line per record, and
            // no SLF4J warnings from the tokenizer's library.
            Pattern record = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3} INFO "
                    + "io\\.kaleidoscope\\.kmatrix\\.KMatrixKernels: K-matrix kernel: .+");
            assertTrue(startLog.stream().anyMatch(l -> record.matcher(l).matches()), "no one-line kernel record in:\n"
                    + String.join("\n", startLog));
            assertTrue(startLog.stream().noneMatch(l -> l.contains("SLF4J")), "SLF4J warnings in:\n" + String.join("\n", startLog));
            Thread drain = Thread.ofPlatform().daemon(true).start(() -> out.lines().forEach(l -> { }));
            HttpClient client = HttpClient.newHttpClient();
            // A request that waits in the engine's 2 s batching window while the signal arrives: the signal
            // goes only once the server shows the text queued (a fixed sleep raced a busy machine).
            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/translate"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"q\": \"Die Datei wurde nicht gefunden.\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body()
                    .contains("kaleido_queue_texts{engine=\"0\",model=\"tiny-kmatrix\"} 1.0")) {
                assertTrue(System.nanoTime() < giveUp && !inFlight.isDone(), "the request never showed up in the queue");
                Thread.sleep(10);
            }
            server.destroy();   // SIGTERM
            HttpResponse<String> response = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server did not exit");
            assertEquals(0, server.exitValue());
            drain.join(1000);
        } finally {
            server.destroyForcibly();
        }
    }
}
