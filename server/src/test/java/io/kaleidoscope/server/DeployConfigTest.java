package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment files in {@code deploy/} against the real server: every metric the Grafana
 * dashboard, the Prometheus alerting rules and the compose/Kubernetes files query must exist in
 * the server's {@code /metrics}, so a renamed meter cannot leave a dashboard panel silently empty;
 * and promtool (Debian's prometheus package) accepts the Prometheus configurations and every
 * dashboard query as PromQL.
 */
class DeployConfigTest {
    private static final Path MODELS = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath().normalize();
    private static final Path DEPLOY = repositoryRoot().resolve("deploy");
    private static final Path DASHBOARD = DEPLOY.resolve("grafana/kaleidoscope-dashboard.json");
    /** Series Prometheus makes itself at scrape time; the server never exposes them. */
    private static final Set<String> SYNTHETIC = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added", "ALERTS", "ALERTS_FOR_STATE");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");

    private static ModelRegistry models;
    private static WebServer server;
    private static HttpClient client;
    private static String base;
    private static String scrape;
    private static Set<String> exposed;

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("deploy"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no deploy/ folder above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    @BeforeAll
    static void startServerAndScrape() throws Exception {
        ServerConfig config = ServerConfig.from(Map.of("kaleido.port", "0",
                "kaleido.models", MODELS.resolve("tiny-kmatrix").toString()), Map.of());
        ServerMetrics metrics = new ServerMetrics();
        models = new ModelRegistry(config, metrics);
        server = Main.start(config, models, metrics);
        models.warmUp();
        client = HttpClient.newHttpClient();
        base = "http://localhost:" + server.port();
        // Translations (both APIs), probes, and one bad request so the rejected counter exists.
        for (String text : List.of("Die Datei wurde nicht gefunden.", "Einstellungen speichern", "Datei öffnen")) {
            HttpResponse<String> r = post("/translate", "{\"q\": \"" + text + "\", \"source\": \"de\", \"target\": \"en\"}");
            assertEquals(200, r.statusCode(), r.body());
        }
        assertEquals(200, post("/v1/translate", "{\"texts\": [\"Neuer Ordner\", \"Bild speichern\"], \"beam\": 1}").statusCode());
        assertEquals(400, post("/translate", "{\"q\": ").statusCode());
        assertEquals(200, get("/ready").statusCode());
        assertEquals(200, get("/health").statusCode());
        // jvm_gc_pause_seconds exists only once a collection has been reported.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            System.gc();
            Thread.sleep(200);
            scrape = get("/metrics").body();
        } while (!scrape.contains("jvm_gc_pause_seconds_count{") && System.nanoTime() < until);
        exposed = exposedNames(scrape);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        if (models != null) {
            models.close();
        }
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sample names in Prometheus text format (comments skipped). */
    static Set<String> exposedNames(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /**
     * The metric names a PromQL expression reads: label matchers, strings, ranges, grouping
     * clauses, numbers and Grafana variables are removed; an identifier followed by '(' is a
     * function or aggregation, and PromQL's keywords are not names. Grafana's
     * {@code label_values(metric{...}, label)} reads its first argument.
     */
    static Set<String> metricNames(String expr) {
        Set<String> names = new LinkedHashSet<>();
        String e = expr.strip();
        Matcher labelValues = Pattern.compile("^label_values\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)$", Pattern.DOTALL).matcher(e);
        if (labelValues.matches()) {
            e = labelValues.group(1);
        } else if (e.startsWith("label_values(")) {
            return names;   // label_values(label): no metric
        }
        e = e.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{[^}]*}|\\$\\w+", " ")
                .replaceAll("(?<![\\w:])\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?(?:ms|[smhdwy])?(?![\\w:])", " ")
                .replaceAll("(?<![\\w:])\\.\\d+", " ");
        Matcher id = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(e);
        while (id.find()) {
            String name = id.group();
            int next = id.end();
            while (next < e.length() && Character.isWhitespace(e.charAt(next))) {
                next++;
            }
            boolean call = next < e.length() && e.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** Every Prometheus query of the dashboard: panel targets (any depth) and query variables. */
    static List<String> dashboardQueries(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        collectExprs(dashboard, queries);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                queries.add(query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        return queries;
    }

    private static void collectExprs(JsonNode node, List<String> into) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if (field.getKey().equals("expr") && field.getValue().isTextual()) {
                    into.add(field.getValue().asText());
                } else {
                    collectExprs(field.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectExprs(child, into));
        }
    }

    /** One-line {@code expr:} entries of a YAML file (Prometheus rules; compose or Kubernetes files if they carry any). */
    static List<String> yamlExprs(Path file) throws IOException {
        List<String> exprs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher m = Pattern.compile("^\\s*-?\\s*expr:\\s*(.*?)\\s*$").matcher(line);
            if (m.matches()) {
                String value = m.group(1);
                assertFalse(value.isEmpty() || value.startsWith("|") || value.startsWith(">"),
                        file + ": keep each expr on one line so it can be checked: " + line);
                if (value.length() > 1 && (value.startsWith("'") && value.endsWith("'") || value.startsWith("\"") && value.endsWith("\""))) {
                    value = value.substring(1, value.length() - 1);
                }
                exprs.add(value);
            }
        }
        return exprs;
    }

    /** "query: missing names" for each query that reads a name the scrape lacks. */
    static List<String> missing(List<String> queries, Set<String> exposedNames) {
        List<String> problems = new ArrayList<>();
        for (String query : queries) {
            Set<String> names = metricNames(query);
            if (names.isEmpty()) {
                problems.add(query + ": reads no metric");
                continue;
            }
            List<String> absent = names.stream().filter(n -> !SYNTHETIC.contains(n) && !exposedNames.contains(n)).toList();
            if (!absent.isEmpty()) {
                problems.add(query + ": " + absent);
            }
        }
        return problems;
    }

    /** The server's own names (jvm_* and process_* left out), for failure messages. */
    private static List<String> ours() {
        return exposed.stream().filter(n -> n.startsWith("kaleido_") || n.startsWith("http_")).toList();
    }

    @Test
    void metricNameParserSkipsFunctionsLabelsRangesAndVariables() {
        assertEquals(Set.of("http_server_requests_seconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (uri, le) (rate(http_server_requests_seconds_bucket{job=~\"$job\", uri=~\"/translate|/v1/translate\"}[$__rate_interval])))"));
        assertEquals(Set.of("kaleido_rejected_requests_total", "http_server_requests_seconds_count"), metricNames(
                "sum(rate(kaleido_rejected_requests_total{reason=~\"5..\"}[5m])) / sum without (status) (rate(http_server_requests_seconds_count[5m] offset 1h)) > 1e-3"));
        assertEquals(Set.of("up"), metricNames("up{job=\"kaleidoscope\"} == 0"));
        assertEquals(Set.of("kaleido_queue_texts"), metricNames("label_values(kaleido_queue_texts{job=~\"$job\"}, instance)"));
        assertEquals(Set.of(), metricNames("label_values(job)"));
        // A misspelt name is reported, a present one is not: the check can fail.
        Set<String> names = exposedNames("# HELP x\nkaleido_queue_texts{model=\"m\"} 0.0\njvm_threads_live_threads 12.0\n");
        assertEquals(List.of("max(kaleido_queue_textz): [kaleido_queue_textz]"),
                missing(List.of("max(kaleido_queue_textz)", "sum(kaleido_queue_texts) + jvm_threads_live_threads"), names));
    }

    @Test
    void everyMetricTheGrafanaDashboardQueriesIsExposed() throws Exception {
        JsonNode dashboard = Json.MAPPER.readTree(DASHBOARD.toFile());
        List<String> queries = dashboardQueries(dashboard);
        assertTrue(queries.size() >= 20, "only " + queries.size() + " queries in " + DASHBOARD);
        for (String family : List.of("http_server_requests_seconds_bucket", "kaleido_queue_wait_seconds_bucket",
                "kaleido_inference_seconds_bucket", "kaleido_engine_seconds_sum", "kaleido_batch_texts_bucket",
                "kaleido_queue_texts", "kaleido_rejected_requests_total")) {
            assertTrue(queries.stream().anyMatch(q -> metricNames(q).contains(family)), "no panel reads " + family);
        }
        assertEquals(List.of(), missing(queries, exposed),
                "dashboard queries read metrics the server does not expose; it has " + ours());
    }

    @Test
    void everyMetricOfTheAlertRulesAndComposeAndKubernetesFilesIsExposed() throws Exception {
        List<String> rules = yamlExprs(DEPLOY.resolve("prometheus-rules.yml"));
        assertTrue(rules.size() >= 3, "only " + rules.size() + " alert rules");
        List<String> queries = new ArrayList<>(rules);
        List<Path> others = new ArrayList<>(List.of(DEPLOY.resolve("compose.yaml")));
        try (Stream<Path> k8s = Files.list(DEPLOY.resolve("k8s"))) {
            k8s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().forEach(others::add);
        }
        for (Path file : others) {
            queries.addAll(yamlExprs(file));
        }
        assertEquals(List.of(), missing(queries, exposed), "rules read metrics the server does not expose; it has " + ours());
    }

    private static boolean promtoolAvailable() {
        try {
            return new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private record Run(int exit, String output) {}

    private static Run promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool hung");
        return new Run(p.exitValue(), output);
    }

    @Test
    void promtoolAcceptsThePrometheusConfigurations() throws Exception {
        assumeTrue(promtoolAvailable(), "promtool not installed (Debian package prometheus)");
        Run compose = promtool("check", "config", DEPLOY.resolve("prometheus.yml").toString());
        assertEquals(0, compose.exit(), "promtool check config deploy/prometheus.yml:\n" + compose.output());
        assertTrue(compose.output().contains("rule files found"), compose.output());
        Run k8s = promtool("check", "config", DEPLOY.resolve("k8s/prometheus-kubernetes-pods.yml").toString());
        // Debian's promtool is built without Kubernetes service discovery: that file's only error there.
        boolean noKubernetesSd = k8s.output().contains("field kubernetes_sd_configs not found");
        assertTrue(k8s.exit() == 0 || noKubernetesSd, "promtool check config deploy/k8s/prometheus-kubernetes-pods.yml:\n" + k8s.output());
    }

    @Test
    void everyDashboardQueryIsValidPromQL() throws Exception {
        assumeTrue(promtoolAvailable(), "promtool not installed (Debian package prometheus)");
        List<String> queries = dashboardQueries(Json.MAPPER.readTree(DASHBOARD.toFile()));
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String query : queries) {
            if (query.startsWith("label_values(")) {
                continue;   // Grafana's own function, not PromQL
            }
            // Grafana fills in its variables before Prometheus sees the query.
            String promql = query.replace("$__rate_interval", "1m").replace("$__interval", "1m")
                    .replaceAll("\\$\\{?\\w+}?", ".*");
            rules.append("      - record: dashboard:query").append(i++).append('\n')
                    .append("        expr: ").append(Json.MAPPER.writeValueAsString(promql)).append('\n');
        }
        Path file = Files.createTempFile("kaleido-dashboard-rules", ".yml");
        try {
            Files.writeString(file, rules);
            Run check = promtool("check", "rules", file.toString());
            assertEquals(0, check.exit(), "promtool check rules (dashboard queries):\n" + check.output() + "\n" + rules);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
