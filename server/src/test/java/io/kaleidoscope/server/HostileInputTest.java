package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #7: a seeded suite of more than 10,000 hostile requests ({@link HostileCases}) against the
 * real server — malformed JSON, wrong types, huge numbers, deep nesting, invalid UTF-8, lone
 * surrogates, control characters, other scripts, blank texts, every limit and one past it, 10 MB
 * bodies, unknown fields, wrong content types and methods, broken markup with format=html, header
 * floods, broken HTTP and slow senders over raw sockets. Every answer must be a 4xx with a non-empty JSON {@code error}, or a 200
 * whose translation has the shape the request asked for; never a 5xx, never a wait past the
 * deadline. Afterwards the server is still ready and translates a control sentence byte for byte as
 * before. The run prints how many requests each category sent and which statuses came back, and
 * writes every wrong answer to target/hostile-input-failures.txt. {@code -Dhostile.seed=N} and
 * {@code -Dhostile.requests=N} run another seed or a bigger suite.
 */
class HostileInputTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();
    private static final long SEED = Long.getLong("hostile.seed", 20261128L);
    private static final int REQUESTS = Integer.getInteger("hostile.requests", 10_000);
    private static final int MAX_CHARS = 64;
    private static final int MAX_TEXTS = 8;
    private static final int MAX_BODY = 16_384;
    private static final int DEADLINE_MS = 10_000;
    /** How long a client waits for any answer: the deadline plus slack for a loaded 2-core CI machine. */
    private static final int CLIENT_TIMEOUT_MS = DEADLINE_MS + 5_000;
    private static final int WORKERS = 6;

    private record Answer(int status, String contentType, byte[] body) {}

    private final Map<String, Map<String, LongAdder>> stats = new ConcurrentHashMap<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong slowestNanos = new AtomicLong();
    private volatile String slowest = "";
    private final LongAdder translated = new LongAdder();
    /** Connections that broke without an answer and were tried again (see {@link #exchange}). */
    private final LongAdder connectionErrors = new LongAdder();

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void hostileRequestsGetA4xxJsonErrorOrAWellFormedTranslationAndTheServerStaysWell() throws Exception {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.port", "0", "kaleido.models", MODELS.resolve("tiny-kmatrix").toString(),
                "kaleido.beam", "1", "kaleido.maxChars", String.valueOf(MAX_CHARS), "kaleido.maxTexts", String.valueOf(MAX_TEXTS),
                "kaleido.maxBodyBytes", String.valueOf(MAX_BODY), "kaleido.deadlineMs", String.valueOf(DEADLINE_MS),
                "kaleido.maxWaitMs", "2"), Map.of());
        ServerMetrics metrics = new ServerMetrics();
        try (ModelRegistry models = new ModelRegistry(config, metrics)) {
            WebServer server = Main.start(config, models, metrics);
            try {
                models.warmUp();
                run(server.port());
            } finally {
                server.stop();
            }
        }
    }

    private void run(int port) throws Exception {
        String base = "http://localhost:" + port;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Duration timeout = Duration.ofMillis(CLIENT_TIMEOUT_MS);
        HttpRequest controlLibre = HttpRequest.newBuilder(URI.create(base + "/translate")).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"q\": \"Die Datei wurde nicht gefunden.\", \"source\": \"de\"}")).build();
        HttpRequest controlNative = HttpRequest.newBuilder(URI.create(base + "/v1/translate")).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"Einstellungen speichern\", \"Datei öffnen\"], \"beam\": 1}")).build();
        HttpResponse<byte[]> libreBefore = client.send(controlLibre, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> nativeBefore = client.send(controlNative, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, libreBefore.statusCode());
        assertEquals(200, nativeBefore.statusCode());

        HostileCases generator = new HostileCases(SEED, MAX_CHARS, MAX_TEXTS, MAX_BODY);
        List<HostileCases.Case> http = generator.httpCases(REQUESTS);
        List<HostileCases.Case> raw = generator.rawCases(150);
        List<HostileCases.Case> slow = generator.slowSenders(16);
        long start = System.nanoTime();
        // Slow senders dribble in the background on their own threads while the rest hammers the server.
        List<Thread> dribblers = new ArrayList<>();
        for (HostileCases.Case c : slow) {
            dribblers.add(Thread.ofVirtual().start(() -> exchangeRaw(port, c, 1)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (HostileCases.Case c : http) {
                done.add(pool.submit(() -> exchange(client, port, base, c)));
            }
            for (HostileCases.Case c : raw) {
                done.add(pool.submit(() -> exchangeRaw(port, c, c.raw().mayClose() ? 1 : 3)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (Thread t : dribblers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        // The server is still well: ready, and the control sentences translate exactly as before.
        HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(base + "/ready")).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<byte[]> libreAfter = client.send(controlLibre, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> nativeAfter = client.send(controlNative, HttpResponse.BodyHandlers.ofByteArray());

        int total = http.size() + raw.size() + slow.size();
        System.out.println(summary(total, seconds));
        Path report = Path.of("target", "hostile-input-failures.txt");
        java.nio.file.Files.deleteIfExists(report);
        if (!failures.isEmpty()) {
            java.nio.file.Files.createDirectories(report.getParent());
            java.nio.file.Files.write(report, failures);
            System.out.println(failures.size() + " failures (all in " + report.toAbsolutePath() + "); the first ones:");
            failures.stream().limit(60).forEach(f -> System.out.println("  " + f));
        }
        assertTrue(total >= 10_000, "the suite must send at least 10,000 requests, sent " + total);
        assertTrue(failures.isEmpty(), failures.size() + " of " + total + " hostile requests got a wrong answer; first: "
                + failures.stream().limit(10).toList());
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals(200, libreAfter.statusCode());
        assertArrayEquals(libreBefore.body(), libreAfter.body(), "the control translation changed");
        assertArrayEquals(nativeBefore.body(), nativeAfter.body(), "the native control translation changed");
    }

    @Test
    void theSameSeedGivesTheSameRequests() throws Exception {
        assertArrayEquals(digest(new HostileCases(SEED, MAX_CHARS, MAX_TEXTS, MAX_BODY)),
                digest(new HostileCases(SEED, MAX_CHARS, MAX_TEXTS, MAX_BODY)));
    }

    private static byte[] digest(HostileCases generator) throws Exception {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        List<HostileCases.Case> cases = new ArrayList<>(generator.httpCases(3_000));
        cases.addAll(generator.rawCases(50));
        cases.addAll(generator.slowSenders(4));
        for (HostileCases.Case c : cases) {
            sha.update((c.category() + c.method() + c.path() + c.contentType() + c.expectStatus()).getBytes(StandardCharsets.UTF_8));
            sha.update(c.body());
            c.headers().forEach(h -> sha.update((h[0] + h[1]).getBytes(StandardCharsets.UTF_8)));
            if (c.raw() != null) {
                sha.update(c.raw().bytes());
            }
        }
        return sha.digest();
    }

    // ---------------------------------------------------------------- sending

    private void exchange(HttpClient client, int port, String base, HostileCases.Case c) {
        HttpRequest request;
        try {
            HttpRequest.BodyPublisher publisher = c.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : c.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(c.body()))
                    : HttpRequest.BodyPublishers.ofByteArray(c.body());
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + c.path())).timeout(Duration.ofMillis(CLIENT_TIMEOUT_MS))
                    .method(c.method(), publisher);
            if (!c.contentType().isEmpty()) {
                b.header("Content-Type", c.contentType());
            }
            for (String[] h : c.headers()) {
                b.header(h[0], h[1]);
            }
            request = b.build();
        } catch (IllegalArgumentException e) {
            // HttpClient refuses this URI, method or header: send the same request over a raw socket.
            exchangeRawEquivalent(port, c);
            return;
        }
        long t0 = System.nanoTime();
        Answer answer;
        try {
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            answer = new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (HttpTimeoutException e) {
            record(c, "TIMEOUT", "no answer within " + CLIENT_TIMEOUT_MS + " ms (hang)");
            return;
        } catch (IOException e) {
            // The connection broke before an answer. Known cause: over a limit (body, headers) the
            // server answers and closes while the request is still arriving, and the TCP reset for
            // the unread bytes can destroy the answer before the client reads it. Send the same
            // request over a raw socket, which reads while it writes; that answer is checked.
            connectionErrors.increment();
            System.out.println("connection error, checked again over a raw socket: " + HostileCases.abbreviate(c.describe(), 150)
                    + " -> " + e.getMessage());
            exchangeRawEquivalent(port, c);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        timed(c, t0);
        record(c, String.valueOf(answer.status()), check(c, answer));
    }

    private void exchangeRawEquivalent(int port, HostileCases.Case c) {
        List<String> headers = new ArrayList<>(List.of("Host: localhost"));
        if (!c.contentType().isEmpty()) {
            headers.add("Content-Type: " + c.contentType());
        }
        headers.add("Content-Length: " + c.body().length);
        for (String[] h : c.headers()) {
            headers.add(h[0] + ": " + h[1]);
        }
        byte[] bytes = RawHttp.request(c.method() + " " + c.path() + " HTTP/1.1", headers, c.body());
        exchangeRaw(port, new HostileCases.Case(c.category(), c.method(), c.path(), c.contentType(), c.body(), c.headers(), false,
                c.expectStatus(), new HostileCases.Raw(bytes, 0, 0, false)), 3);
    }

    /**
     * Sends raw bytes; a connection closed without an answer is tried again, up to {@code attempts}
     * times in all: a server that answers and closes while bytes are still arriving sends a TCP
     * reset that can destroy its answer before it is read (counted in the summary).
     */
    private void exchangeRaw(int port, HostileCases.Case c, int attempts) {
        long t0 = System.nanoTime();
        RawHttp.Outcome o = RawHttp.exchange(port, c.raw().bytes(), c.raw().piece(), c.raw().pauseMillis(), CLIENT_TIMEOUT_MS);
        for (int i = 1; i < attempts && o.kind() == RawHttp.Kind.CLOSED; i++) {
            connectionErrors.increment();
            o = RawHttp.exchange(port, c.raw().bytes(), c.raw().piece(), c.raw().pauseMillis(), CLIENT_TIMEOUT_MS);
        }
        timed(c, t0);
        switch (o.kind()) {
            case TIMEOUT -> record(c, "TIMEOUT", o.toString());
            case CLOSED -> record(c, "closed", c.raw().mayClose() ? null : o.toString());
            case RESPONSE -> record(c, String.valueOf(o.status()),
                    check(c, new Answer(o.status(), o.headers().getOrDefault("content-type", ""), o.body())));
        }
    }

    private void timed(HostileCases.Case c, long t0) {
        long took = System.nanoTime() - t0;
        if (took > slowestNanos.get()) {
            slowestNanos.set(took);
            slowest = c.category();
        }
    }

    private void record(HostileCases.Case c, String outcome, String failure) {
        stats.computeIfAbsent(c.category(), k -> new ConcurrentHashMap<>()).computeIfAbsent(outcome, k -> new LongAdder()).increment();
        if (failure != null) {
            failures.add(c.describe() + " -> " + failure);
        }
    }

    // ---------------------------------------------------------------- checking

    /** Null when the answer is right for the request, else what is wrong with it. */
    private String check(HostileCases.Case c, Answer a) {
        String got = a.status() + " " + a.contentType() + " " + HostileCases.abbreviate(new String(a.body(), StandardCharsets.UTF_8), 300);
        if (a.status() >= 500) {
            return "server error: " + got;
        }
        if (c.expectStatus() != 0 && a.status() != c.expectStatus()) {
            return "expected " + c.expectStatus() + ", got " + got;
        }
        if (c.method().equals("OPTIONS") && a.status() == 204 && a.body().length == 0) {
            return null;   // OPTIONS on a route: its methods in Allow, no body
        }
        if (c.method().equals("HEAD") && a.status() == 200 && a.body().length == 0 && translationShape(c) == null) {
            return null;   // HEAD on a GET route: its headers, no body
        }
        if (a.status() == 200) {
            Integer texts = translationShape(c);
            if (texts == null) {
                return "200 for a request that is not a translation: " + got;
            }
            translated.increment();
            return checkTranslation(c, texts, a, got);
        }
        if (a.status() < 400 || a.status() > 499) {
            return "neither 4xx nor 200: " + got;
        }
        if (c.method().equals("HEAD")) {
            return null;   // no body by definition
        }
        if (!a.contentType().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return "4xx without a JSON body: " + got;
        }
        try {
            JsonNode error = Json.MAPPER.readTree(a.body());
            if (error == null || !error.isObject() || !error.path("error").isTextual() || error.path("error").asText().isBlank()) {
                return "4xx without a non-empty \"error\" string: " + got;
            }
        } catch (IOException e) {
            return "4xx body is not JSON: " + got;
        }
        return null;
    }

    private static String checkTranslation(HostileCases.Case c, int texts, Answer a, String got) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(a.body());
        } catch (IOException e) {
            return "200 body is not JSON: " + got;
        }
        boolean isNative = c.path().startsWith(HostileCases.NATIVE);
        JsonNode out = json.get(isNative ? "translations" : "translatedText");
        if (out == null) {
            return "200 without " + (isNative ? "translations" : "translatedText") + ": " + got;
        }
        if (texts < 0) {
            return out.isTextual() ? null : "translatedText should be a string: " + got;
        }
        if (!out.isArray() || out.size() != texts) {
            return "expected " + texts + " translations: " + got;
        }
        for (JsonNode t : out) {
            if (!t.isTextual()) {
                return "a translation is not a string: " + got;
            }
        }
        if (isNative && !json.path("model").isTextual()) {
            return "no model name: " + got;
        }
        return null;
    }

    /**
     * What a 200 must look like for this request: -1 a single translatedText string, n an array of
     * n translations; null when the request is not a translation request at all (so a 200 is wrong).
     * Mirrors the API: /translate reads a form for application/x-www-form-urlencoded and JSON for
     * any other content type; /v1/translate always reads JSON.
     */
    private static Integer translationShape(HostileCases.Case c) {
        if (c.raw() != null && c.method().equals("RAW")) {
            HostileCases.Case parsed = parseRaw(c);
            return parsed == null ? null : translationShape(parsed);
        }
        String path = c.path().replaceFirst("[?;].*", "");   // the query and matrix parameters do not pick the route
        if (!c.method().equalsIgnoreCase("POST") || !path.equals(HostileCases.LIBRE) && !path.equals(HostileCases.NATIVE)) {
            return null;
        }
        try {
            if (path.equals(HostileCases.LIBRE) && c.contentType().toLowerCase(Locale.ROOT).startsWith(HostileCases.FORM)) {
                int q = 0;
                for (String pair : new String(c.body(), StandardCharsets.UTF_8).split("&")) {
                    String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                    if (!pair.isEmpty() && URLDecoder.decode(key, StandardCharsets.UTF_8).equals("q")) {
                        q++;
                    }
                }
                return q == 1 ? -1 : q;
            }
            JsonNode json = LENIENT.readTree(c.body());
            JsonNode texts = json.get(path.equals(HostileCases.NATIVE) ? "texts" : "q");
            if (texts == null) {
                return null;
            }
            return texts.isArray() ? texts.size() : -1;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The test's own reading of a request body: no limits on numbers or depth (the server's are what is tested). */
    private static final com.fasterxml.jackson.databind.ObjectMapper LENIENT = new com.fasterxml.jackson.databind.ObjectMapper(
            com.fasterxml.jackson.core.JsonFactory.builder().streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNumberLength(Integer.MAX_VALUE).maxNestingDepth(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build()).build());

    /** Method, path, content type and body of a raw request as a server would read them; null if they cannot be told. */
    private static HostileCases.Case parseRaw(HostileCases.Case c) {
        byte[] bytes = c.raw().bytes();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int firstLine = text.indexOf("\r\n");
        if (end < 0 || firstLine < 0) {
            return null;
        }
        String[] line = text.substring(0, firstLine).split(" ");
        if (line.length < 2) {
            return null;
        }
        String path = line[1].replaceFirst("^https?://[^/]*", "");
        String contentType = "";
        boolean chunked = false;
        for (String h : text.substring(firstLine + 2, end).split("\r\n")) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                contentType = h.substring(h.indexOf(':') + 1).trim();
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        if (chunked) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            String rest = new String(body, StandardCharsets.ISO_8859_1);
            try {
                while (true) {
                    int eol = rest.indexOf("\r\n");
                    String size = rest.substring(0, eol);
                    int n = Integer.parseInt(size.contains(";") ? size.substring(0, size.indexOf(';')) : size, 16);
                    if (n == 0) {
                        break;
                    }
                    out.writeBytes(rest.substring(eol + 2, eol + 2 + n).getBytes(StandardCharsets.ISO_8859_1));
                    rest = rest.substring(eol + 2 + n + 2);
                }
            } catch (RuntimeException e) {
                return null;
            }
            body = out.toByteArray();
        }
        return new HostileCases.Case(c.category(), line[0], path, contentType, body, List.of(), false, 0, null);
    }

    private String summary(int total, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nHostile-input suite: %d requests in %.1f s (seed %d), %d translated, slowest answer %.0f ms (%s),"
                + " %d broken connections tried again%n", total, seconds, SEED, translated.sum(), slowestNanos.get() / 1e6, slowest,
                connectionErrors.sum()));
        b.append(String.format(Locale.ROOT, "%-22s %7s  %s%n", "category", "requests", "statuses"));
        Map<String, Long> all = new TreeMap<>();
        new TreeMap<>(stats).forEach((category, counts) -> {
            long n = counts.values().stream().mapToLong(LongAdder::sum).sum();
            Map<String, Long> sorted = new TreeMap<>();
            counts.forEach((k, v) -> sorted.put(k, v.sum()));
            sorted.forEach((k, v) -> all.merge(k, v, Long::sum));
            b.append(String.format(Locale.ROOT, "%-22s %7d  %s%n", category, n, sorted));
        });
        b.append(String.format(Locale.ROOT, "%-22s %7d  %s%n", "all", total, all));
        return b.toString();
    }
}
