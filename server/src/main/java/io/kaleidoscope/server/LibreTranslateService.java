package io.kaleidoscope.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaleidoscope.SearchOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LibreTranslate's API, so its clients work unchanged: {@code POST /translate} with a JSON or
 * form body ({@code q} a string or an array, {@code source} "de" or "auto", {@code target} "en",
 * {@code format} "text" or "html", {@code alternatives}, {@code api_key}) answering {@code translatedText}
 * (a string, or an array for an array q); {@code GET /languages}. Errors are {"error": "…"}.
 * With format=html the tags stay where they are and each text node is translated ({@link HtmlText}).
 */
final class LibreTranslateService implements HttpService {
    private final TranslationGate gate;

    LibreTranslateService(TranslationGate gate) {
        this.gate = gate;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/languages", this::languages).head("/languages", this::languages)
                .get("/frontend/settings", this::frontendSettings).head("/frontend/settings", this::frontendSettings)
                .post("/translate", this::translate);
    }

    private void languages(ServerRequest req, ServerResponse res) {
        Json.send(req, res, 200, List.of(
                Map.of("code", "de", "name", "German", "targets", List.of("en")),
                Map.of("code", "en", "name", "English", "targets", List.of())));
    }

    /**
     * What LibreTranslate's web UI and clients read to learn the server's limits: the character
     * limit per text, whether a key is required, and that there are no suggestions or files.
     */
    private void frontendSettings(ServerRequest req, ServerResponse res) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("charLimit", gate.limits().maxChars());
        settings.put("frontendTimeout", 500);   // the UI's typing pause before it translates, in ms (LibreTranslate's default)
        settings.put("apiKeys", gate.keys().required());
        settings.put("keyRequired", gate.keys().required());
        settings.put("suggestions", false);
        settings.put("filesTranslation", false);
        settings.put("supportedFilesFormat", List.of());
        settings.put("language", Map.of("source", Map.of("code", "de", "name", "German"),
                "target", Map.of("code", "en", "name", "English")));
        Json.send(req, res, 200, settings);
    }

    private void translate(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        byte[] body = Json.body(req);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(java.util.Locale.ROOT);
        if (contentType.startsWith("multipart/")) {
            throw new ApiException(415, "multipart bodies are not supported; send JSON (application/json) or a form "
                    + "(application/x-www-form-urlencoded, e.g. curl --data-urlencode q=...)");
        }
        Request r = contentType.startsWith("application/x-www-form-urlencoded") ? fromForm(body) : fromJson(body);
        if (!r.source().equals("de") && !r.source().equals("auto")) {
            throw new ApiException(400, "source language '" + r.source() + "' is not supported; this server translates de (or auto) to en");
        }
        if (!r.target().equals("en")) {
            throw new ApiException(400, "target language '" + r.target() + "' is not supported; this server translates de to en");
        }
        if (!r.format().equals("text") && !r.format().equals("html")) {
            throw new ApiException(400, "format '" + r.format() + "' is not supported; use text or html");
        }
        String apiKey = r.apiKey() != null ? r.apiKey() : req.headers().first(HeaderNames.create("X-API-Key")).orElse(null);
        gate.limits().checkAlternatives(r.alternatives());
        // n alternatives come from one beam search of width at least n + 1.
        int beam = r.alternatives() == 0 ? gate.models().defaultBeam() : Math.max(gate.models().defaultBeam(), r.alternatives() + 1);
        BatchingEngine.Result timed;
        List<String> translated;
        List<List<String>> alternatives;
        if (r.format().equals("html")) {
            gate.admit(apiKey, r.texts());
            List<List<HtmlText.Piece>> documents = r.texts().stream().map(HtmlText::split).toList();
            List<String> nodes = new ArrayList<>();
            documents.forEach(pieces -> pieces.stream().filter(HtmlText.Piece::translatable).map(HtmlText.Piece::decoded).forEach(nodes::add));
            timed = gate.translateAdmitted(null, nodes, beam, SearchOptions.NO_CAP, r.alternatives());
            translated = new ArrayList<>();
            alternatives = new ArrayList<>();
            int next = 0;
            for (List<HtmlText.Piece> pieces : documents) {
                int count = (int) pieces.stream().filter(HtmlText.Piece::translatable).count();
                String document = HtmlText.join(pieces, timed.texts().subList(next, next + count));
                translated.add(document);
                alternatives.add(documentAlternatives(pieces, document, timed.texts().subList(next, next + count),
                        timed.alternatives().subList(next, next + count), r.alternatives()));
                next += count;
            }
        } else {
            timed = gate.translate(apiKey, null, r.texts(), beam, SearchOptions.NO_CAP, r.alternatives());
            translated = timed.texts();
            alternatives = timed.alternatives();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("translatedText", r.array() ? translated : translated.get(0));
        if (r.source().equals("auto")) {
            // No language identification: the only source language this server takes is German.
            out.put("detectedLanguage", r.array()
                    ? translated.stream().map(t -> Map.of("confidence", 100, "language", "de")).toList()
                    : Map.of("confidence", 100, "language", "de"));
        }
        if (r.alternatives() > 0) {
            out.put("alternatives", r.array() ? alternatives : alternatives.get(0));
        }
        Json.timingHeaders(res, timed, System.nanoTime() - start);
        Json.send(req, res, 200, out);
    }

    /**
     * An HTML document's alternatives: the a-th takes each text node's a-th alternative (the
     * node's translation where it has fewer), rejoined with the tags; none equal to the document's
     * translation or to an earlier one.
     */
    private static List<String> documentAlternatives(List<HtmlText.Piece> pieces, String document, List<String> nodes,
                                                     List<List<String>> nodeAlternatives, int wanted) {
        java.util.LinkedHashSet<String> found = new java.util.LinkedHashSet<>();
        for (int a = 0; a < wanted; a++) {
            List<String> chosen = new ArrayList<>(nodes.size());
            for (int n = 0; n < nodes.size(); n++) {
                List<String> others = nodeAlternatives.get(n);
                chosen.add(a < others.size() ? others.get(a) : nodes.get(n));
            }
            String other = HtmlText.join(pieces, chosen);
            if (!other.equals(document)) {
                found.add(other);
            }
        }
        return List.copyOf(found);
    }

    /** The fields LibreTranslate clients send; q as a list (array = whether q was an array). */
    private record Request(List<String> texts, boolean array, String source, String target, String format, int alternatives,
                           String apiKey) {}

    private static Request fromJson(byte[] body) {
        JsonNode json = Json.parseObject(body);
        JsonNode q = json.get("q");
        List<String> texts = new ArrayList<>();
        boolean array;
        if (q == null || q.isNull()) {
            throw new ApiException(400, "missing field 'q' (the text to translate)");
        } else if (q.isTextual()) {
            texts.add(q.asText());
            array = false;
        } else if (q.isArray()) {
            for (JsonNode item : q) {
                if (!item.isTextual()) {
                    throw new ApiException(400, "'q' must be a string or an array of strings");
                }
                texts.add(item.asText());
            }
            array = true;
        } else {
            throw new ApiException(400, "'q' must be a string or an array of strings");
        }
        return new Request(texts, array, text(json, "source", "auto"), text(json, "target", "en"),
                text(json, "format", "text"), integer(json, "alternatives"), text(json, "api_key", null));
    }

    private static String text(JsonNode json, String field, String fallback) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new ApiException(400, "'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static int integer(JsonNode json, String field) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new ApiException(400, "'" + field + "' must be a non-negative integer");
        }
        return v.asInt();
    }

    private static Request fromForm(byte[] body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String form = Json.utf8(body);
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = strictDecode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : strictDecode(pair.substring(eq + 1));
            fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        List<String> q = fields.get("q");
        if (q == null) {
            throw new ApiException(400, "missing field 'q' (the text to translate)");
        }
        int alternatives = 0;
        if (fields.containsKey("alternatives")) {
            try {
                alternatives = Integer.parseInt(fields.get("alternatives").get(0));
            } catch (NumberFormatException e) {
                alternatives = -1;
            }
            if (alternatives < 0) {
                throw new ApiException(400, "'alternatives' must be a non-negative integer");
            }
        }
        return new Request(q, q.size() > 1, first(fields, "source", "auto"), first(fields, "target", "en"),
                first(fields, "format", "text"), alternatives, first(fields, "api_key", null));
    }

    /**
     * Form-decodes ('+' is a space, %XX a byte; other characters stand for their UTF-8 bytes) and
     * refuses a result that is not valid UTF-8.
     */
    private static String strictDecode(String s) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw new ApiException(400, "malformed form body: bad percent-escape");
                }
                bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                bytes.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        return Json.utf8(bytes.toByteArray());
    }

    private static String first(Map<String, List<String>> fields, String name, String fallback) {
        List<String> v = fields.get(name);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }
}
