package io.kaleidoscope.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaleidoscope.SearchOptions;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native API: {@code POST /v1/translate} (API key, when keys are configured, in the
 * {@code X-API-Key} header) with {@code texts} (array of strings), optional
 * {@code beam} (1–16), {@code max_length} (output tokens per sentence, 1–1024; long texts are
 * split into sentences, each gets this many), {@code model} (a loaded bundle's name) and {@code return_timings};
 * answers {@code translations}, {@code model} and, when asked, {@code timings} in milliseconds.
 */
final class NativeTranslateService implements HttpService {
    private static final int MAX_BEAM = 16;
    private static final int MAX_LENGTH = 1024;

    private final TranslationGate gate;

    NativeTranslateService(TranslationGate gate) {
        this.gate = gate;
    }

    @Override
    public void routing(HttpRules rules) {
        io.helidon.webserver.http.Handler models = (req, res) -> Json.send(req, res, 200,
                Map.of("models", gate.models().names(), "default", gate.models().defaultModel()));
        rules.post("/translate", this::translate)
                .get("/models", models).head("/models", models);
    }

    private void translate(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        JsonNode json = Json.parseObject(Json.body(req));
        JsonNode textsNode = json.get("texts");
        if (textsNode == null || !textsNode.isArray()) {
            throw new ApiException(400, "'texts' must be an array of strings");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode t : textsNode) {
            if (!t.isTextual()) {
                throw new ApiException(400, "'texts' must be an array of strings");
            }
            texts.add(t.asText());
        }
        int beam = boundedInt(json, "beam", MAX_BEAM, gate.models().defaultBeam());
        int maxTokens = boundedInt(json, "max_length", MAX_LENGTH, SearchOptions.NO_CAP);
        JsonNode modelNode = json.get("model");
        if (modelNode != null && !modelNode.isNull() && !modelNode.isTextual()) {
            throw new ApiException(400, "'model' must be a string");
        }
        String model = modelNode == null || modelNode.isNull() ? gate.models().defaultModel() : modelNode.asText();
        JsonNode timingsNode = json.get("return_timings");
        if (timingsNode != null && !timingsNode.isNull() && !timingsNode.isBoolean()) {
            throw new ApiException(400, "'return_timings' must be true or false");
        }
        boolean timings = timingsNode != null && timingsNode.asBoolean(false);
        JsonNode alternativesNode = json.get("alternatives");
        int alternatives = 0;
        if (alternativesNode != null && !alternativesNode.isNull()) {
            if (!alternativesNode.isInt() || alternativesNode.asInt() < 0) {
                throw new ApiException(400, "'alternatives' must be a non-negative integer");
            }
            alternatives = alternativesNode.asInt();
        }
        gate.limits().checkAlternatives(alternatives);
        if (alternatives >= beam) {
            throw new ApiException(400, "%d alternatives need a beam of at least %d; 'beam' is %d".formatted(alternatives, alternatives + 1, beam));
        }
        String apiKey = req.headers().first(io.helidon.http.HeaderNames.create("X-API-Key")).orElse(null);
        BatchingEngine.Result timed = gate.translate(apiKey, model, texts, beam, maxTokens, alternatives);
        long total = System.nanoTime() - start;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("translations", timed.texts());
        if (alternatives > 0) {
            out.put("alternatives", timed.alternatives());
        }
        out.put("model", model);
        if (timings) {
            out.put("timings", Map.of("queue_ms", timed.queueNanos() / 1e6, "inference_ms", timed.inferenceNanos() / 1e6,
                    "total_ms", total / 1e6, "batch_texts", timed.batchTexts()));
        }
        Json.timingHeaders(res, timed, total);
        Json.send(req, res, 200, out);
    }

    /** An optional integer field in [1, max]; absent or null gives the fallback. */
    private static int boundedInt(JsonNode json, String field, int max, int fallback) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isInt() || node.asInt() < 1 || node.asInt() > max) {
            throw new ApiException(400, "'" + field + "' must be an integer from 1 to " + max);
        }
        return node.asInt();
    }
}
