package io.kaleidoscope.server;

import io.kaleidoscope.bundle.DefaultModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the server can be told, with its defaults. Each value comes from a system property
 * ({@code -Dkaleido.port=8080}), else an environment variable ({@code KALEIDO_PORT=8080}), else
 * the properties file named by {@code kaleido.config} / {@code KALEIDO_CONFIG} (keys without the
 * prefix: {@code port=8080}), else the default:
 *
 * <table>
 *   <tr><th>property / variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>kaleido.port / KALEIDO_PORT</td><td>5000</td><td>HTTP port (0: any free port)</td></tr>
 *   <tr><td>kaleido.models / KALEIDO_MODELS</td><td>models/small-kmatrix, else models/de-en-kmatrix, else models/tiny-kmatrix</td>
 *       <td>comma-separated bundle directories; the first is the default model</td></tr>
 *   <tr><td>kaleido.enginesPerModel / KALEIDO_ENGINES_PER_MODEL</td><td>1</td><td>engine threads per model, each with
 *       its own copy of the model; give each a core</td></tr>
 *   <tr><td>kaleido.beam / KALEIDO_BEAM</td><td>4</td><td>default beam width</td></tr>
 *   <tr><td>kaleido.shortlist / KALEIDO_SHORTLIST</td><td>off</td><td>on: score only the candidates of each bundle's
 *       lexical shortlist (faster output projection; outputs may differ slightly and with the batch; docs/engine.md)</td></tr>
 *   <tr><td>kaleido.maxChars / KALEIDO_MAX_CHARS</td><td>5000</td><td>characters per text</td></tr>
 *   <tr><td>kaleido.maxTexts / KALEIDO_MAX_TEXTS</td><td>100</td><td>texts per request</td></tr>
 *   <tr><td>kaleido.maxAlternatives / KALEIDO_MAX_ALTERNATIVES</td><td>3</td><td>alternative translations a request may
 *       ask for per text (400 beyond); asking for n searches with a beam of at least n + 1</td></tr>
 *   <tr><td>kaleido.maxBodyBytes / KALEIDO_MAX_BODY_BYTES</td><td>1048576</td><td>request body size (413 beyond)</td></tr>
 *   <tr><td>kaleido.maxHeaderBytes / KALEIDO_MAX_HEADER_BYTES</td><td>16384</td><td>all request headers together (400 beyond)</td></tr>
 *   <tr><td>kaleido.maxRequestLineBytes / KALEIDO_MAX_REQUEST_LINE_BYTES</td><td>2048</td><td>the request line: method, path and query (414 beyond)</td></tr>
 *   <tr><td>kaleido.idleTimeoutMs / KALEIDO_IDLE_TIMEOUT_MS</td><td>30000</td><td>a kept-alive connection without a
 *       request for this long is closed</td></tr>
 *   <tr><td>kaleido.maxConnections / KALEIDO_MAX_CONNECTIONS</td><td>10000</td><td>open TCP connections; more wait to be
 *       accepted</td></tr>
 *   <tr><td>kaleido.deadlineMs / KALEIDO_DEADLINE_MS</td><td>30000</td><td>per-request deadline (504 past it)</td></tr>
 *   <tr><td>kaleido.queueTexts / KALEIDO_QUEUE_TEXTS</td><td>1024</td><td>texts waiting per engine thread; beyond: 503 + Retry-After (413 for a request with more)</td></tr>
 *   <tr><td>kaleido.maxQueueWaitMs / KALEIDO_MAX_QUEUE_WAIT_MS</td><td>2000</td><td>refuse (503) texts expected to wait
 *       longer than this behind the queue, at the engine's measured pace per character; 413 for a request that alone
 *       would take longer; 0: only the count limit</td></tr>
 *   <tr><td>kaleido.batchChars / KALEIDO_BATCH_CHARS</td><td>4000</td><td>characters the engine gathers into one batch</td></tr>
 *   <tr><td>kaleido.maxWaitMs / KALEIDO_MAX_WAIT_MS</td><td>5</td><td>longest wait for more requests to join a batch</td></tr>
 *   <tr><td>kaleido.apiKeys / KALEIDO_API_KEYS</td><td>(none)</td><td>comma-separated keys; when set, requests need one (403 otherwise)</td></tr>
 *   <tr><td>kaleido.keyRatePerMinute / KALEIDO_KEY_RATE_PER_MINUTE</td><td>600</td><td>requests per minute per key (429 beyond)</td></tr>
 *   <tr><td>kaleido.corsOrigins / KALEIDO_CORS_ORIGINS</td><td>*</td><td>comma-separated origins browsers may call the API
 *       from (CORS; * = any, as the API carries no cookies); none: no CORS headers</td></tr>
 *   <tr><td>kaleido.accessLog / KALEIDO_ACCESS_LOG</td><td>off</td><td>on: one log line per request (client, time, request
 *       line, status, bytes, microseconds taken; never the texts) through the logger io.helidon.webserver.AccessLog</td></tr>
 * </table>
 */
public record ServerConfig(int port, List<Path> models, int beam, int maxChars, int maxTexts, long maxBodyBytes,
                           long deadlineMillis, int queueTexts, int batchChars, long maxWaitMillis,
                           java.util.Set<String> apiKeys, int keyRatePerMinute, int maxHeaderBytes, int maxRequestLineBytes,
                           long maxQueueWaitMillis, int enginesPerModel, long idleTimeoutMillis, int maxConnections,
                           boolean shortlist, java.util.Set<String> corsOrigins, boolean accessLog, int maxAlternatives) {

    public ServerConfig {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("at least one model bundle is needed");
        }
        if (beam < 1 || maxChars < 1 || maxTexts < 1 || maxBodyBytes < 1 || deadlineMillis < 1 || queueTexts < maxTexts
                || batchChars < 1 || maxWaitMillis < 0 || keyRatePerMinute < 1 || maxHeaderBytes < 1 || maxRequestLineBytes < 1 || maxQueueWaitMillis < 0
                || enginesPerModel < 1 || idleTimeoutMillis < 1 || maxConnections < 1 || maxAlternatives < 0 || maxAlternatives > 63) {
            throw new IllegalArgumentException("beam and every limit must be positive (maxAlternatives 0 to 63), the queue at least maxTexts long");
        }
    }

    /** From system properties, then environment variables, then the config file, then defaults. */
    public static ServerConfig fromEnvironment() {
        return from(System.getProperties().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(), e -> e.getValue().toString())), System.getenv());
    }

    static ServerConfig from(Map<String, String> properties, Map<String, String> environment) {
        Lookup lookup = new Lookup(properties, environment, fileProperties(properties, environment));
        List<Path> models = new ArrayList<>();
        String listed = lookup.get("models", null);
        if (listed != null) {
            for (String part : listed.split(",")) {
                if (!part.isBlank()) {
                    models.add(Path.of(part.trim()));
                }
            }
        } else {
            models.add(DefaultModels.kmatrix());
        }
        return new ServerConfig(lookup.integer("port", 5000), models, lookup.integer("beam", 4),
                lookup.integer("maxChars", 5000), lookup.integer("maxTexts", 100),
                lookup.integer("maxBodyBytes", 1 << 20), lookup.integer("deadlineMs", 30_000),
                lookup.integer("queueTexts", 1024), lookup.integer("batchChars", 4000), lookup.integer("maxWaitMs", 5),
                keys(lookup.get("apiKeys", "")), lookup.integer("keyRatePerMinute", 600),
                lookup.integer("maxHeaderBytes", 16 * 1024), lookup.integer("maxRequestLineBytes", 2048),
                lookup.integer("maxQueueWaitMs", 2_000), lookup.integer("enginesPerModel", 1),
                lookup.integer("idleTimeoutMs", 30_000), lookup.integer("maxConnections", 10_000),
                lookup.onOff("shortlist", false), corsOrigins(lookup.get("corsOrigins", "*")),
                lookup.onOff("accessLog", false), lookup.integer("maxAlternatives", 3));
    }

    /** "none" (or nothing): no CORS answers, browsers on other origins are refused by their own rules. */
    private static java.util.Set<String> corsOrigins(String listed) {
        return listed.trim().equalsIgnoreCase("none") ? java.util.Set.of() : keys(listed);
    }

    private static java.util.Set<String> keys(String listed) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (String k : listed.split(",")) {
            if (!k.isBlank()) {
                keys.add(k.trim());
            }
        }
        return keys;
    }

    private static java.util.Properties fileProperties(Map<String, String> properties, Map<String, String> environment) {
        java.util.Properties file = new java.util.Properties();
        String path = properties.getOrDefault("kaleido.config", environment.get("KALEIDO_CONFIG"));
        if (path != null) {
            try (var in = java.nio.file.Files.newBufferedReader(Path.of(path))) {
                file.load(in);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read the configuration file " + path + ": " + e.getMessage(), e);
            }
        }
        return file;
    }

    private record Lookup(Map<String, String> properties, Map<String, String> environment, java.util.Properties file) {
        String get(String name, String fallback) {
            String v = properties.get("kaleido." + name);
            if (v == null) {
                v = environment.get("KALEIDO_" + name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT));
            }
            if (v == null) {
                v = file.getProperty(name);
            }
            return v == null ? fallback : v;
        }

        boolean onOff(String name, boolean fallback) {
            String v = get(name, null);
            if (v == null) {
                return fallback;
            }
            return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "on", "true" -> true;
                case "off", "false" -> false;
                default -> throw new IllegalArgumentException("kaleido." + name + " must be on or off, got '" + v + "'");
            };
        }

        int integer(String name, int fallback) {
            String v = get(name, null);
            if (v == null) {
                return fallback;
            }
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("kaleido." + name + " must be an integer, got '" + v + "'");
            }
        }
    }
}
