package io.kaleidoscope.server;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Optional API keys with a request rate per key. With no keys configured every request passes.
 * Otherwise a request must carry a known key (LibreTranslate's {@code api_key} field, or the
 * {@code X-API-Key} header): none or an unknown one is a 403; more than {@code perMinute}
 * requests in a minute for one key is a 429 (a token bucket refilled continuously).
 */
final class ApiKeys {
    private final Set<String> keys;
    private final int perMinute;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    ApiKeys(Set<String> keys, int perMinute) {
        this.keys = Set.copyOf(keys);
        this.perMinute = perMinute;
    }

    /** Whether requests need a key (any are configured). */
    boolean required() {
        return !keys.isEmpty();
    }

    void check(String key) {
        if (keys.isEmpty()) {
            return;
        }
        if (key == null || key.isEmpty()) {
            throw new ApiException(403, "an API key is required (field api_key or header X-API-Key)");
        }
        if (!keys.contains(key)) {
            throw new ApiException(403, "unknown API key");
        }
        double wait = buckets.computeIfAbsent(key, k -> new Bucket(perMinute)).take();
        if (wait > 0) {
            // Retry-After: when the bucket next holds a whole token, so a client that obeys it succeeds.
            throw ApiException.retryAfter(429, "rate limit of " + perMinute + " requests per minute exceeded for this API key",
                    (long) Math.ceil(wait));
        }
    }

    /** Up to {@code capacity} requests, refilled at capacity per minute. */
    private static final class Bucket {
        private final double capacity;
        private double tokens;
        private long last = System.nanoTime();

        Bucket(int capacity) {
            this.capacity = capacity;
            this.tokens = capacity;
        }

        /** Takes a token: 0 when there was one, else the seconds until there is. */
        synchronized double take() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - last) / 60e9 * capacity);
            last = now;
            if (tokens < 1) {
                return (1 - tokens) * 60 / capacity;
            }
            tokens -= 1;
            return 0;
        }
    }
}
