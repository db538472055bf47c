package io.kaleidoscope.server;

import java.util.List;

/**
 * What every translate endpoint does once its body is parsed, in one place: check the API key,
 * check the texts against the limits, translate on the model's engine within the deadline.
 */
record TranslationGate(ModelRegistry models, TextLimits limits, ApiKeys keys, long deadlineMillis) {

    /**
     * @param apiKey the request's key, or null
     * @param model  a loaded model's name, or null for the default
     * @throws ApiException 403/429 (key), 400 (texts), 400 (model), 503 (queue), 504 (deadline)
     */
    BatchingEngine.Result translate(String apiKey, String model, List<String> texts, int beam) {
        keys.check(apiKey);
        limits.check(texts);
        return models.translate(model, texts, beam, deadlineMillis);
    }
}
