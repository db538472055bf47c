package io.kaleidoscope.loadtest.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of a load test: the steps run, and for a sweep the saturation throughput and the
 * steps at fractions of it. Renders a terminal table, a Markdown table and a JSON report.
 *
 * @param settings   what was run (target, endpoint, mix, ...), copied into the JSON
 * @param steps      the measured steps in the order run
 * @param saturation the highest achieved rate of a sweep, or NaN for a single run
 * @param fractions  steps run at fractions of the saturation rate (label such as "50%" → step)
 */
record LoadReport(Map<String, Object> settings, List<StepResult> steps, double saturation, Map<String, StepResult> fractions) {

    private static final String HEADER = "%10s %11s %8s %9s %9s %9s %9s %9s  %s";

    /** The table printed on the terminal (and used in the Markdown report). */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append(HEADER.formatted("offered/s", "achieved/s", "sent", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors")).append('\n');
        for (StepResult step : steps) {
            out.append(row(step, "")).append('\n');
        }
        if (!Double.isNaN(saturation)) {
            out.append("saturation: %.1f successful requests/s%n".formatted(saturation));
            fractions.forEach((label, step) -> out.append(row(step, " (" + label + " of saturation)")).append('\n'));
        }
        return out.toString();
    }

    private static String row(StepResult step, String note) {
        Map<String, Double> p = StepResult.percentilesMillis(step.ok());
        return HEADER.formatted("%.1f".formatted(step.offeredRate()), "%.1f".formatted(step.achievedRate()), step.sent(),
                ms(p.get("p50")), ms(p.get("p90")), ms(p.get("p99")), ms(p.get("p99.9")), ms(p.get("max")), step.errorSummary()) + note;
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : "%.1f".formatted(v);
    }

    /** A Markdown table of the same numbers, for the README. */
    String markdown() {
        StringBuilder out = new StringBuilder("| offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        List<Map.Entry<String, StepResult>> rows = new ArrayList<>();
        steps.forEach(s -> rows.add(Map.entry("", s)));
        rows.addAll(fractions.entrySet());
        for (Map.Entry<String, StepResult> r : rows) {
            StepResult s = r.getValue();
            Map<String, Double> p = StepResult.percentilesMillis(s.ok());
            out.append("| %.1f%s | %.1f | %s | %s | %s | %s | %s | %s |%n".formatted(s.offeredRate(),
                    r.getKey().isEmpty() ? "" : " (" + r.getKey() + " of sat.)", s.achievedRate(), ms(p.get("p50")), ms(p.get("p90")),
                    ms(p.get("p99")), ms(p.get("p99.9")), ms(p.get("max")), s.errorSummary()));
        }
        if (!Double.isNaN(saturation)) {
            out.append("%nSaturation: %.1f successful requests/s.%n".formatted(saturation));
        }
        return out.toString();
    }

    /** The report as JSON-ready maps. */
    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("settings", settings);
        root.put("steps", steps.stream().map(LoadReport::stepJson).toList());
        if (!Double.isNaN(saturation)) {
            root.put("saturation_rps", saturation);
            Map<String, Object> at = new LinkedHashMap<>();
            fractions.forEach((label, step) -> at.put(label, stepJson(step)));
            root.put("at_fraction_of_saturation", at);
        }
        return root;
    }

    private static Map<String, Object> stepJson(StepResult s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offered_rps", s.offeredRate());
        m.put("achieved_rps", s.achievedRate());
        m.put("seconds", s.seconds());
        m.put("sent", s.sent());
        m.put("ok", s.okCount());
        m.put("outcomes", s.outcomes());
        m.put("latency_ms", finite(StepResult.percentilesMillis(s.ok())));
        m.put("refused_latency_ms", finite(StepResult.percentilesMillis(s.refused())));
        m.put("timeline", s.timeline().stream().map(t -> {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t_s", Math.round(t.at() * 100) / 100.0);
            point.put("ok", t.ok());
            point.put("errors", t.errors());
            point.put("p50_ms", Double.isNaN(t.p50Millis()) ? null : t.p50Millis());
            point.put("p99_ms", Double.isNaN(t.p99Millis()) ? null : t.p99Millis());
            return point;
        }).toList());
        return m;
    }

    /** JSON has no NaN: empty histograms give nulls. */
    private static Map<String, Double> finite(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, Double.isNaN(v) ? null : v));
        return out;
    }

    /** Writes report.json, report.md and latency.svg into the directory. */
    void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(directory.resolve("report.json").toFile(), json());
        Files.writeString(directory.resolve("report.md"), markdown());
        List<StepResult> all = new ArrayList<>(steps);
        all.addAll(fractions.values());
        Files.writeString(directory.resolve("latency.svg"), LatencyPlot.svg(all, String.valueOf(settings.getOrDefault("label", ""))));
    }
}
