package io.kaleidoscope.server;

import java.util.List;

/**
 * What every translate endpoint does once its body is parsed, in one place: check the API key,
 * check the texts against the limits, translate on the model's engine within the deadline.
 */
record TranslationGate(ModelRegistry models, TextLimits limits, ApiKeys keys, long deadlineMillis) {

    /**
     * @param apiKey    the request's key, or null
     * @param model     a loaded model's name, or null for the default
     * @param maxTokens    output tokens per sentence at most ({@link io.kaleidoscope.SearchOptions#NO_CAP} for none)
     * @param alternatives alternative translations per text (0: none); the beam must be wider
     * @throws ApiException 403/429 (key), 400 (texts), 400 (model), 503 (queue), 504 (deadline)
     */
    BatchingEngine.Result translate(String apiKey, String model, List<String> texts, int beam, int maxTokens,
                                    int alternatives) {
        admit(apiKey, texts);
        return translateAdmitted(model, texts, beam, maxTokens, alternatives);
    }

    /**
     * The key and limit checks alone, for callers that decode something derived from the texts
     * (the text nodes of HTML): the limits apply to what the client sent.
     */
    void admit(String apiKey, List<String> texts) {
        keys.check(apiKey);
        limits.check(texts);
    }

    /** Translates texts already admitted; an empty list is answered at once. */
    BatchingEngine.Result translateAdmitted(String model, List<String> texts, int beam, int maxTokens, int alternatives) {
        if (texts.isEmpty()) {
            return new BatchingEngine.Result(List.of(), List.of(), 0, 0, 0);
        }
        return models.translate(model, texts, beam, maxTokens, alternatives, deadlineMillis);
    }
}
