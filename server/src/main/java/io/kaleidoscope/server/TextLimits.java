package io.kaleidoscope.server;

import java.util.List;

/** The per-request limits on texts (DESIGN.md §7); each refusal names the limit and its value. */
record TextLimits(int maxChars, int maxTexts, int maxAlternatives) {

    /** Alternatives asked for per text: at most maxAlternatives. */
    void checkAlternatives(int alternatives) {
        if (alternatives > maxAlternatives) {
            throw new ApiException(400, "%d alternatives asked for; the limit is %d (kaleido.maxAlternatives)"
                    .formatted(alternatives, maxAlternatives));
        }
    }

    void check(List<String> texts) {
        if (texts.isEmpty()) {
            throw new ApiException(400, "no text to translate");
        }
        if (texts.size() > maxTexts) {
            throw new ApiException(400, "%d texts in one request; the limit is %d (kaleido.maxTexts)".formatted(texts.size(), maxTexts));
        }
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text.isBlank()) {
                throw new ApiException(400, "text %d is empty".formatted(i));
            }
            int chars = text.codePointCount(0, text.length());
            if (chars > maxChars) {
                throw new ApiException(400, "text %d has %d characters; the limit is %d (kaleido.maxChars)".formatted(i, chars, maxChars));
            }
        }
    }
}
