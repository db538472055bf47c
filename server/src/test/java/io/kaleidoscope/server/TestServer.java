package io.kaleidoscope.server;

import io.helidon.webserver.WebServer;
import io.kaleidoscope.Translator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The real server on a free port for a test: its settings (kaleido.* properties; the port and,
 * unless given, the tiny K-matrix bundle are filled in), its models, metrics and a client.
 * Closing it stops the server and the engines.
 */
final class TestServer implements AutoCloseable {
    static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();

    final ModelRegistry models;
    final ServerMetrics metrics = new ServerMetrics();
    final WebServer server;
    final HttpClient client = HttpClient.newHttpClient();

    private TestServer(Map<String, String> settings, Function<Translator, BatchingEngine.Decode> decode) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("kaleido.port", "0");
        all.putIfAbsent("kaleido.models", MODELS.resolve("tiny-kmatrix").toString());
        ServerConfig config = ServerConfig.from(all, Map.of());
        models = new ModelRegistry(config, metrics, decode);
        server = Main.start(config, models, metrics);
    }

    static TestServer start(Map<String, String> settings) {
        return new TestServer(settings, translator -> translator::translate);
    }

    /** With the engines' decoding call made by {@code decode} (a slow or failing stand-in). */
    static TestServer start(Map<String, String> settings, Function<Translator, BatchingEngine.Decode> decode) {
        return new TestServer(settings, decode);
    }

    String base() {
        return "http://localhost:" + server.port();
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String json) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return postAsync(path, json).get();
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop();
        models.close();
    }
}
