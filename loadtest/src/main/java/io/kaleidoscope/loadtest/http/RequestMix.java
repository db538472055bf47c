package io.kaleidoscope.loadtest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the load generator sends: German texts by size class (a TSV of {@code class<TAB>text},
 * {@code #} comments), drawn by class weight, as request bodies for one of the two APIs.
 */
final class RequestMix {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The API to call: LibreTranslate's {@code /translate} or the native {@code /v1/translate}. */
    enum Endpoint {
        LIBRE("/translate"), NATIVE("/v1/translate");

        final String path;

        Endpoint(String path) {
            this.path = path;
        }
    }

    private final Map<String, List<String>> textsByClass;
    private final String[] classes;
    private final double[] cumulativeWeights;

    RequestMix(Map<String, List<String>> textsByClass, Map<String, Double> weights) {
        this.textsByClass = textsByClass;
        List<String> used = new ArrayList<>();
        List<Double> cumulative = new ArrayList<>();
        double sum = 0;
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            if (w.getValue() <= 0) {
                continue;
            }
            List<String> texts = textsByClass.get(w.getKey());
            if (texts == null || texts.isEmpty()) {
                throw new IllegalArgumentException("the mix names class '" + w.getKey() + "' but the data has none (classes: "
                        + textsByClass.keySet() + ")");
            }
            sum += w.getValue();
            used.add(w.getKey());
            cumulative.add(sum);
        }
        if (used.isEmpty()) {
            throw new IllegalArgumentException("the mix has no class with a positive weight");
        }
        this.classes = used.toArray(String[]::new);
        this.cumulativeWeights = cumulative.stream().mapToDouble(d -> d / cumulative.getLast()).toArray();
    }

    /** Reads {@code class<TAB>text} lines; blank lines and lines starting with # are skipped. */
    static Map<String, List<String>> read(Path tsv) {
        Map<String, List<String>> byClass = new LinkedHashMap<>();
        try {
            int lineNumber = 0;
            for (String line : Files.readAllLines(tsv)) {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab <= 0 || tab == line.length() - 1) {
                    throw new IllegalArgumentException(tsv + ":" + lineNumber + ": expected 'class<TAB>text'");
                }
                byClass.computeIfAbsent(line.substring(0, tab), k -> new ArrayList<>()).add(line.substring(tab + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read request data " + tsv, e);
        }
        if (byClass.isEmpty()) {
            throw new IllegalArgumentException(tsv + " holds no texts");
        }
        return byClass;
    }

    /** Parses "short=6,medium=3,long=1". */
    static Map<String, Double> weights(String spec) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("mix '" + spec + "': expected class=weight,...");
            }
            try {
                weights.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mix '" + spec + "': weight of " + kv[0] + " is not a number");
            }
        }
        return weights;
    }

    /** Draws a text: a class by weight, then a text of that class uniformly. */
    String next(Random random) {
        double u = random.nextDouble();
        int c = 0;
        while (c < cumulativeWeights.length - 1 && u >= cumulativeWeights[c]) {
            c++;
        }
        List<String> texts = textsByClass.get(classes[c]);
        return texts.get(random.nextInt(texts.size()));
    }

    /** The JSON body for one text on an endpoint; model and beam apply to the native API only (null: server default). */
    static String body(Endpoint endpoint, String text, String model, Integer beam) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (endpoint == Endpoint.LIBRE) {
            body.put("q", text);
            body.put("source", "de");
            body.put("target", "en");
        } else {
            body.put("texts", List.of(text));
            if (model != null) {
                body.put("model", model);
            }
            if (beam != null) {
                body.put("beam", beam);
            }
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
