package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in headless Chromium (Debian's package, installed by .ci/install-python-deps.sh):
 * after some translations it has scraped /metrics and shows a latency and a batch size; a
 * screenshot is kept at target/dashboard.png.
 */
class DashboardTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();

    @Test
    void dashboardLoadsScrapesAndShowsNonZeroData() throws Exception {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.port", "0", "kaleido.models",
                MODELS.resolve("tiny-kmatrix").toString()), Map.of());
        ServerMetrics metrics = new ServerMetrics();
        try (ModelRegistry models = new ModelRegistry(config, metrics)) {
            WebServer server = Main.start(config, models, metrics);
            try {
                String base = "http://localhost:" + server.port();
                HttpClient client = HttpClient.newHttpClient();
                assertTrue(new String(client.send(HttpRequest.newBuilder(URI.create(base + "/dashboard")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8).contains("<canvas"));
                for (String text : List.of("Datei öffnen", "Fenster schließen", "Die Datei wurde nicht gefunden.")) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/translate"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"q\": \"" + text + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), r.body());
                }
                String dom = chromium(base + "/dashboard", "--dump-dom");
                Matcher samples = Pattern.compile("data-samples=\"(\\d+)\"").matcher(dom);
                assertTrue(samples.find() && Integer.parseInt(samples.group(1)) >= 1, "no scrape of /metrics: " + dom);
                Matcher p50 = Pattern.compile("id=\"p50\">([0-9.]+)<").matcher(dom);
                assertTrue(p50.find() && Double.parseDouble(p50.group(1)) > 0, "no latency shown");
                Matcher batch = Pattern.compile("id=\"batch\">([0-9.]+)<").matcher(dom);
                assertTrue(batch.find() && Double.parseDouble(batch.group(1)) >= 1, "no batch size shown");
                Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
                chromium(base + "/dashboard", "--screenshot=" + shot, "--window-size=1200,800");
                assertTrue(Files.size(shot) > 10_000, "screenshot " + shot);
            } finally {
                server.stop();
            }
        }
    }

    /** Headless Chromium with the flags this closed network needs, virtual time for one poll of /metrics (the first covers everything since the server started). */
    private static String chromium(String url, String... extra) throws Exception {
        Path profile = Files.createTempDirectory("chromium");
        List<String> command = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=1000"));
        command.addAll(List.of(extra));
        command.add(url);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
        return out;
    }
}
