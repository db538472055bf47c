package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real server on a free port with both tiny bundles: APIs, their answers and their errors. */
class ServerTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();
    private static final Path KMATRIX = MODELS.resolve("tiny-kmatrix");
    private static final Path DENSE = MODELS.resolve("tiny-dense");

    private static ModelRegistry models;
    private static ServerMetrics metrics;
    private static WebServer server;
    private static HttpClient client;
    private static String base;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.port", "0", "kaleido.models", KMATRIX + "," + DENSE,
                "kaleido.maxChars", "200", "kaleido.maxTexts", "5", "kaleido.maxBodyBytes", "4096",
                "kaleido.maxWaitMs", "300"), Map.of());
        metrics = new ServerMetrics();
        models = new ModelRegistry(config, metrics);
        server = Main.start(config, models, metrics);
        client = HttpClient.newHttpClient();
        base = "http://localhost:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.stop();
        models.close();
    }

    private static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static String engine(Path bundle, String text, int beam) {
        return engine(bundle, List.of(text), beam, SearchOptions.NO_CAP).get(0);
    }

    private static List<String> engine(Path bundle, List<String> texts, int beam, int maxTokens) {
        try (Translator t = Translator.load(bundle)) {
            return t.translate(texts, t.defaultOptions().withBeam(beam).withMaxTokens(maxTokens));
        }
    }

    @Test
    void healthAndReadiness() throws Exception {
        assertEquals(200, get("/health").statusCode());
        assertEquals(503, get("/ready").statusCode());   // not warmed up yet in this test class
        models.warmUp();
        assertEquals(200, get("/ready").statusCode());
    }

    @Test
    void libreTranslateJsonStringAndArrayGiveTheEngineTranslation() throws Exception {
        String text = "Die Datei wurde nicht gefunden.";
        String expected = engine(KMATRIX, text, 4);
        HttpResponse<String> one = post("/translate", "application/json",
                "{\"q\": \"" + text + "\", \"source\": \"de\", \"target\": \"en\", \"format\": \"text\", \"api_key\": \"\", \"apiKey\": \"x\"}");
        assertEquals(200, one.statusCode(), one.body());
        assertEquals(expected, json(one).get("translatedText").asText());
        for (String header : List.of("X-Queue-Time-Ms", "X-Inference-Time-Ms", "X-Total-Time-Ms")) {
            assertTrue(one.headers().firstValue(header).isPresent(), header);
        }
        HttpResponse<String> many = post("/translate", "application/json",
                "{\"q\": [\"" + text + "\", \"" + text + "\"], \"source\": \"auto\", \"target\": \"en\"}");
        assertEquals(200, many.statusCode(), many.body());
        assertEquals(List.of(expected, expected), List.of(json(many).get("translatedText").get(0).asText(),
                json(many).get("translatedText").get(1).asText()));
        assertEquals("de", json(many).get("detectedLanguage").get(0).get("language").asText());
    }

    @Test
    void libreTranslateFormBody() throws Exception {
        String expected = engine(KMATRIX, "Einstellungen speichern", 4);
        HttpResponse<String> r = post("/translate", "application/x-www-form-urlencoded",
                "q=Einstellungen+speichern&source=de&target=en&format=text");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(expected, json(r).get("translatedText").asText());
        // Percent-encoded and raw UTF-8 umlauts mean the same text.
        String umlauts = engine(KMATRIX, "Datei öffnen", 4);
        HttpResponse<String> encoded = post("/translate", "application/x-www-form-urlencoded", "q=Datei+%C3%B6ffnen&source=de");
        HttpResponse<String> raw = post("/translate", "application/x-www-form-urlencoded", "q=Datei öffnen&source=de");
        assertEquals(umlauts, json(encoded).get("translatedText").asText(), encoded.body());
        assertEquals(umlauts, json(raw).get("translatedText").asText(), raw.body());
    }

    @Test
    void metricsExposeRequestHistogramsEngineBatchesAndJvmAndPassPromtool() throws Exception {
        post("/translate", "application/json", "{\"q\": \"Datei öffnen\"}");
        post("/translate", "application/json", "{\"q\": ");
        post("/v1/translate", "application/json", "{\"texts\": [\"Datei öffnen\"]}");
        get("/v1/models");
        client.send(HttpRequest.newBuilder(URI.create(base + "/health")).method("FOOBAR", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        get("/favicon.ico");   // a 404 outside the translation routes: no rejected translation
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        String text = r.body();
        for (String name : List.of("http_server_requests_seconds_bucket{", "kaleido_queue_wait_seconds_bucket{",
                "kaleido_inference_seconds_bucket{", "kaleido_engine_seconds_bucket{", "kaleido_batch_texts_bucket{",
                "kaleido_source_tokens_total{model=\"tiny-kmatrix\"}", "kaleido_target_tokens_total{model=\"tiny-kmatrix\"}",
                "kaleido_rejected_requests_total{reason=\"400\"}", "jvm_memory_used_bytes{", "jvm_gc_", "process_cpu_usage")) {
            assertTrue(text.contains(name), "missing " + name);
        }
        assertTrue(text.contains("uri=\"/translate\""), "route label");
        // routes inside the /v1 service are labelled with their whole path, not the rest after /v1
        assertTrue(text.contains("uri=\"/v1/translate\""), "route label of /v1/translate");
        assertTrue(text.contains("uri=\"/v1/models\""), "route label of /v1/models");
        // a method a client makes up is no new label value
        assertTrue(text.contains("method=\"OTHER\""), "unknown methods share OTHER");
        assertTrue(!text.contains("FOOBAR"), "no label value from the client's method");
        assertTrue(!text.contains("kaleido_rejected_requests_total{reason=\"404\"}"), "only translation requests count as rejected");
        assertTrue(!text.contains("kaleido_rejected_requests_total{reason=\"405\"}"), "only translation requests count as rejected");
        // promtool (Debian's prometheus package, installed by .ci/install-python-deps.sh) checks the exposition.
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String verdict = new String(promtool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, promtool.waitFor(), "promtool check metrics: " + verdict);
    }

    @Test
    void afterABodyThatCannotBeReadTheConnectionClosesAndWhatFollowsIsNotServed() throws Exception {
        // A broken chunked body, then bytes that look like a second request on the same connection.
        String smuggled = "POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "ZZ\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n";
        try (java.net.Socket socket = new java.net.Socket("localhost", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(smuggled.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // readAllBytes returns at end of stream: the server closed the connection (a timeout would throw)
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
            assertEquals(1, answer.split("HTTP/1.1 ", -1).length - 1, "one answer only: " + answer);
        }
    }

    @Test
    void aCompressedBodyIsRefusedWith415NamingTheEncoding() throws Exception {
        for (String encoding : List.of("gzip", "br", "identity")) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/translate"))
                    .header("Content-Type", "application/json").header("Content-Encoding", encoding)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"q\": \"Hallo\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(415, r.statusCode(), r.body());
            assertEquals("Content-Encoding '" + encoding + "' is not supported: send the body uncompressed, without a "
                    + "Content-Encoding header", json(r).get("error").asText());
        }
    }

    @Test
    void browsersOnOtherOriginsGetCorsAnswersAndPlainOptionsAndHeadAreAnswered() throws Exception {
        // a preflight, as a browser sends before a JSON POST from another origin
        HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(URI.create(base + "/translate"))
                .header("Origin", "https://example.org").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, preflight.statusCode());
        assertEquals(List.of("*"), preflight.headers().allValues("Access-Control-Allow-Origin"));
        assertTrue(preflight.headers().allValues("Access-Control-Allow-Methods").contains("POST"), preflight.headers().toString());
        // the request itself: the origin allowed, the timing headers readable by the page's script
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/translate")).header("Origin", "https://example.org")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"q\": \"Hallo\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("*"), r.headers().allValues("Access-Control-Allow-Origin"));
        assertTrue(r.headers().allValues("Access-Control-Expose-Headers").contains("X-Total-Time-Ms"), r.headers().toString());
        // a plain OPTIONS says what the path takes; an unknown path is a 404
        HttpResponse<String> options = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/translate"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, options.statusCode());
        assertEquals("POST, OPTIONS", options.headers().firstValue("Allow").orElse(""));
        assertEquals(404, client.send(HttpRequest.newBuilder(URI.create(base + "/nowhere")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        // every GET route answers HEAD: its headers, no body (probes and load balancers check with HEAD)
        for (String path : List.of("/health", "/languages", "/v1/models", "/metrics", "/openapi", "/dashboard", "/frontend/settings")) {
            HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create(base + path)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode(), path);
            assertEquals("", head.body(), path);
        }
    }

    @Test
    void headAnswersCarryTheGetAnswersLengthAndNoBodyOnAKeptAliveConnection() throws Exception {
        // Raw HTTP on one connection: a body after a HEAD answer would be read here as the next
        // answer's status line (HttpClient notices only when the stray bytes arrive late).
        try (java.net.Socket socket = new java.net.Socket("localhost", server.port())) {
            socket.setSoTimeout(10_000);
            var in = new java.io.BufferedInputStream(socket.getInputStream());
            var out = socket.getOutputStream();
            for (String path : List.of("/health", "/languages", "/v1/models", "/metrics", "/openapi", "/dashboard", "/frontend/settings",
                    "/nowhere")) {
                out.write(("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                String head = readHeaderSection(in);
                int status = path.equals("/nowhere") ? 404 : 200;
                assertTrue(head.startsWith("HTTP/1.1 " + status + " "), path + ": " + head);
                if (!path.equals("/metrics")) {   // (the scrape grows with every request)
                    HttpResponse<byte[]> got = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(status, got.statusCode(), path);
                    assertTrue(head.contains("\r\nContent-Length: " + got.body().length + "\r\n"), path + ": " + head);
                }
            }
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            String head = readHeaderSection(in);
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertEquals("{\"status\":\"UP\"}", new String(in.readNBytes(15), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The status line and headers of one answer, up to and including the empty line. */
    private static String readHeaderSection(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void corsOriginsNoneSendsNoCorsHeaders() {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.models", KMATRIX.toString(), "kaleido.corsOrigins", "none"), Map.of());
        assertEquals(java.util.Set.of(), config.corsOrigins());
        assertEquals(java.util.Set.of("https://a.example", "https://b.example"), ServerConfig.from(Map.of("kaleido.models", KMATRIX.toString(),
                "kaleido.corsOrigins", "https://a.example, https://b.example"), Map.of()).corsOrigins());
        assertEquals(java.util.Set.of("*"), ServerConfig.from(Map.of("kaleido.models", KMATRIX.toString()), Map.of()).corsOrigins());
    }

    @Test
    void multipartBodiesAndFractionalAlternativesAreRefusedClearly() throws Exception {
        HttpResponse<String> multipart = post("/translate", "multipart/form-data; boundary=x",
                "--x\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nHallo\r\n--x--\r\n");
        assertEquals(415, multipart.statusCode(), multipart.body());
        assertTrue(json(multipart).get("error").asText().startsWith("multipart bodies are not supported; send JSON"), multipart.body());
        HttpResponse<String> fractional = post("/translate", "application/json", "{\"q\": \"Hallo\", \"alternatives\": 1.5}");
        assertEquals(400, fractional.statusCode());
        assertEquals("'alternatives' must be a non-negative integer", json(fractional).get("error").asText());
    }

    @Test
    void openApiDescribesEveryRoute() throws Exception {
        HttpResponse<String> r = get("/openapi");
        assertEquals(200, r.statusCode());
        for (String route : List.of("/translate:", "/languages:", "/v1/translate:", "/v1/models:", "/health:", "/ready:", "/metrics:",
                "/dashboard:", "/openapi:", "/frontend/settings:")) {
            assertTrue(r.body().contains("  " + route), "OpenAPI lacks " + route);
        }
    }

    @Test
    void frontendSettingsGiveTheLimitsLibreTranslateClientsReadAndThe405ListsTheRoute() throws Exception {
        JsonNode settings = json(get("/frontend/settings"));
        assertEquals(200, settings.get("charLimit").asInt());   // kaleido.maxChars of this test server
        assertEquals(false, settings.get("keyRequired").asBoolean());
        assertEquals(false, settings.get("filesTranslation").asBoolean());
        assertEquals("de", settings.get("language").get("source").get("code").asText());
        assertEquals(405, post("/frontend/settings", "application/json", "{}").statusCode());
    }

    @Test
    void languages() throws Exception {
        JsonNode langs = json(get("/languages"));
        assertEquals("de", langs.get(0).get("code").asText());
        assertEquals("en", langs.get(0).get("targets").get(0).asText());
    }

    @Test
    void nativeApiWithModelBeamAndTimings() throws Exception {
        String text = "Drucker nicht verfügbar.";
        HttpResponse<String> r = post("/v1/translate", "application/json",
                "{\"texts\": [\"" + text + "\"], \"beam\": 1, \"model\": \"tiny-dense\", \"return_timings\": true}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(engine(DENSE, text, 1), body.get("translations").get(0).asText());
        assertEquals("tiny-dense", body.get("model").asText());
        assertTrue(body.get("timings").get("total_ms").asDouble() > 0);
    }

    @Test
    void htmlKeepsTagsInPlaceAndTranslatesEachTextNode() throws Exception {
        String html = "<p class=\"x>y\">Die Datei wurde <b>nicht</b> gefunden.</p><!-- Kommentar --><script>var s = 'Hallo';</script>"
                + "<br/>Gr&uuml;&szlig;e &amp; Dank";
        List<String> nodes = engine(KMATRIX, List.of("Die Datei wurde ", "nicht", " gefunden.", "Grüße & Dank"), 4, SearchOptions.NO_CAP);
        String expected = "<p class=\"x>y\">" + HtmlText.escape(nodes.get(0)) + "<b>" + HtmlText.escape(nodes.get(1)) + "</b>"
                + HtmlText.escape(nodes.get(2)) + "</p><!-- Kommentar --><script>var s = 'Hallo';</script><br/>" + HtmlText.escape(nodes.get(3));
        String body = Json.MAPPER.writeValueAsString(Map.of("q", List.of(html, "<br>"), "source", "de", "target", "en", "format", "html"));
        HttpResponse<String> r = post("/translate", "application/json", body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(expected, json(r).get("translatedText").get(0).asText());
        assertEquals("<br>", json(r).get("translatedText").get(1).asText());   // nothing to translate: unchanged
        HttpResponse<String> onlyMarkup = post("/translate", "application/x-www-form-urlencoded", "q=%3Chr%3E&format=html");
        assertEquals(200, onlyMarkup.statusCode(), onlyMarkup.body());
        assertEquals("<hr>", json(onlyMarkup).get("translatedText").asText());
    }

    @Test
    void maxLengthCapsTheTokensOfEverySentence() throws Exception {
        String text = "Die Datei wurde nicht gefunden, bitte versuchen Sie es später erneut.";
        HttpResponse<String> r = post("/v1/translate", "application/json",
                "{\"texts\": [\"" + text + "\"], \"beam\": 1, \"max_length\": 3}");
        assertEquals(200, r.statusCode(), r.body());
        String capped = json(r).get("translations").get(0).asText();
        assertEquals(engine(KMATRIX, List.of(text), 1, 3).get(0), capped);
        assertTrue(capped.length() < engine(KMATRIX, text, 1).length(), capped);
        for (String bad : List.of("0", "1025", "2.5", "\"3\"")) {
            HttpResponse<String> refused = post("/v1/translate", "application/json", "{\"texts\": [\"Hallo\"], \"max_length\": " + bad + "}");
            assertEquals(400, refused.statusCode(), bad);
            assertEquals("'max_length' must be an integer from 1 to 1024", json(refused).get("error").asText());
        }
    }

    @Test
    void concurrentRequestsShareBatchesAndEachGetsItsOwnTranslation() throws Exception {
        List<String> inputs = List.of("Datei öffnen", "Fenster schließen", "Neuer Ordner", "Bild speichern",
                "Fehler beim Laden der Datei.", "Drucker nicht gefunden", "Einstellungen speichern", "Die Datei wurde nicht gefunden.");
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> responses = new java.util.ArrayList<>();
        for (String input : inputs) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/translate"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"" + input + "\"], \"beam\": 1, \"return_timings\": true}"))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        int largestBatch = 0;
        try (Translator t = Translator.load(KMATRIX)) {
            for (int i = 0; i < inputs.size(); i++) {
                HttpResponse<String> r = responses.get(i).get();
                assertEquals(200, r.statusCode(), r.body());
                // Batched with others or not, each request gets exactly its own sentence's translation.
                assertEquals(t.translate(List.of(inputs.get(i)), t.defaultOptions().withBeam(1)).get(0),
                        json(r).get("translations").get(0).asText(), inputs.get(i));
                largestBatch = Math.max(largestBatch, json(r).get("timings").get("batch_texts").asInt());
            }
        }
        assertTrue(largestBatch > 1, "8 concurrent requests within the 300 ms batching window shared no batch");
        // ... and the metrics show it: the largest engine batch of the default model held several texts.
        double metricMax = get("/metrics").body().lines().filter(l -> l.startsWith("kaleido_batch_texts_max{model=\"tiny-kmatrix\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
        assertTrue(metricMax >= largestBatch, "kaleido_batch_texts_max " + metricMax + " < " + largestBatch);
    }

    @Test
    void badRequestsGetClearErrorsAndNeverA500() throws Exception {
        Map<String, Integer> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"q\": ", 400);                                             // malformed JSON
        cases.put("[1, 2]", 400);                                               // not an object
        cases.put("{\"source\": \"de\"}", 400);                                 // no q
        cases.put("{\"q\": 5}", 400);                                           // wrong type
        cases.put("{\"q\": [\"a\", 3]}", 400);
        cases.put("{\"q\": \"\"}", 400);                                        // empty
        cases.put("{\"q\": \"   \"}", 400);
        cases.put("{\"q\": \"Hallo\", \"source\": \"fr\"}", 400);               // unsupported language
        cases.put("{\"q\": \"Hallo\", \"target\": \"de\"}", 400);
        cases.put("{\"q\": \"Hallo\", \"format\": \"xml\"}", 400);
        cases.put("{\"q\": \"" + "a".repeat(201) + "\"}", 400);                 // over maxChars
        cases.put("{\"q\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]}", 400);  // over maxTexts
        for (Map.Entry<String, Integer> c : cases.entrySet()) {
            HttpResponse<String> r = post("/translate", "application/json", c.getKey());
            assertEquals(c.getValue(), r.statusCode(), c.getKey() + " -> " + r.body());
            assertTrue(json(r).get("error").asText().length() > 5, r.body());
        }
        HttpResponse<String> tooLong = post("/translate", "application/json", "{\"q\": \"" + "a".repeat(201) + "\"}");
        assertTrue(json(tooLong).get("error").asText().contains("limit is 200"), tooLong.body());
        HttpResponse<String> invalidUtf8 = client.send(HttpRequest.newBuilder(URI.create(base + "/translate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', 'q', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, invalidUtf8.statusCode());
        assertTrue(json(invalidUtf8).get("error").asText().contains("UTF-8"), invalidUtf8.body());
        HttpResponse<String> badForm = post("/translate", "application/x-www-form-urlencoded", "q=%C3%28&source=de");
        assertEquals(400, badForm.statusCode(), badForm.body());
        HttpResponse<String> unknownModel = post("/v1/translate", "application/json", "{\"texts\": [\"Hallo\"], \"model\": \"nope\"}");
        assertEquals(400, unknownModel.statusCode());
        assertTrue(json(unknownModel).get("error").asText().contains("unknown model 'nope'"));
        HttpResponse<String> badBeam = post("/v1/translate", "application/json", "{\"texts\": [\"Hallo\"], \"beam\": 99}");
        assertEquals(400, badBeam.statusCode());
        HttpResponse<String> badTimings = post("/v1/translate", "application/json", "{\"texts\": [\"Hallo\"], \"return_timings\": \"yes\"}");
        assertEquals(400, badTimings.statusCode());
        assertEquals("'return_timings' must be true or false", json(badTimings).get("error").asText());
        HttpResponse<String> negativeAlternatives = post("/translate", "application/x-www-form-urlencoded", "q=Hallo&alternatives=-1");
        assertEquals(400, negativeAlternatives.statusCode());
        assertEquals("'alternatives' must be a non-negative integer", json(negativeAlternatives).get("error").asText());
        HttpResponse<String> huge = post("/translate", "application/json", "{\"q\": \"" + "a".repeat(5000) + "\"}");
        assertEquals(413, huge.statusCode());   // over maxBodyBytes
        // And the server still answers correctly afterwards.
        HttpResponse<String> ok = post("/translate", "application/json", "{\"q\": \"Datei öffnen\"}");
        assertEquals(200, ok.statusCode(), ok.body());
    }
}
