package io.kaleidoscope.loadtest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Arrival schedules, the request mix, the saturation rule and the report formats. */
class LoadReportTest {

    private static StepResult step(double rate, long okCount, long refusedCount, long micros) {
        Histogram ok = new Histogram(3_600_000_000L, 3);
        for (long i = 1; i <= okCount; i++) {
            ok.recordValue(micros * i / okCount);   // uniform up to micros
        }
        Histogram refused = new Histogram(3_600_000_000L, 3);
        for (long i = 0; i < refusedCount; i++) {
            refused.recordValue(500);
        }
        TreeMap<String, Long> outcomes = new TreeMap<>(Map.of("200", okCount));
        if (refusedCount > 0) {
            outcomes.put("503", refusedCount);
        }
        return new StepResult(rate, 10, 10, okCount + refusedCount, outcomes, ok, refused,
                List.of(new StepTally.Second(1.0, okCount, refusedCount, 1.5, Double.NaN)));
    }

    @Test
    void constantArrivalsAreEvenAndPoissonArrivalsHaveTheMeanRate() {
        Arrivals constant = new Arrivals(Arrivals.Kind.CONSTANT, 40, 1);
        for (int i = 0; i < 10; i++) {
            assertEquals(25_000_000L, constant.nextGapNanos());
        }
        Arrivals poisson = new Arrivals(Arrivals.Kind.POISSON, 100, 7);
        double sum = 0;
        double sumSquares = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            double gap = poisson.nextGapNanos();
            sum += gap;
            sumSquares += gap * gap;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSquares / n - mean * mean);
        assertEquals(10_000_000, mean, 10_000_000 * 0.01, "mean gap of a 100/s process");
        assertEquals(mean, sd, mean * 0.02, "exponential gaps: standard deviation equals the mean");
        assertThrows(IllegalArgumentException.class, () -> new Arrivals(Arrivals.Kind.CONSTANT, 0, 1));
    }

    @Test
    void theMixDrawsClassesByWeight(@TempDir Path dir) throws Exception {
        Path tsv = dir.resolve("mix.tsv");
        Files.writeString(tsv, "# comment\nshort\tA\nshort\tB\n\nlong\tC D E F\n");
        Map<String, List<String>> texts = RequestMix.read(tsv);
        assertEquals(Map.of("short", List.of("A", "B"), "long", List.of("C D E F")), texts);
        RequestMix mix = new RequestMix(texts, RequestMix.weights("short=3,long=1"));
        Map<String, Integer> counts = new HashMap<>();
        Random random = new Random(3);
        for (int i = 0; i < 40_000; i++) {
            counts.merge(mix.next(random), 1, Integer::sum);
        }
        assertEquals(15_000, counts.get("A"), 450);
        assertEquals(15_000, counts.get("B"), 450);
        assertEquals(10_000, counts.get("C D E F"), 450);
        assertThrows(IllegalArgumentException.class, () -> new RequestMix(texts, RequestMix.weights("medium=1")));
        assertThrows(IllegalArgumentException.class, () -> RequestMix.weights("short"));
        Files.writeString(tsv, "no tab here\n");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> RequestMix.read(tsv));
        assertTrue(bad.getMessage().endsWith("mix.tsv:1: expected 'class<TAB>text'"), bad.getMessage());
    }

    @Test
    void requestBodiesFollowEachApi() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"q\":\"Datei \\\"x\\\"\",\"source\":\"de\",\"target\":\"en\"}"),
                json.readTree(RequestMix.body(RequestMix.Endpoint.LIBRE, "Datei \"x\"", null, null)));
        assertEquals(json.readTree("{\"texts\":[\"Hallo\"],\"model\":\"tiny-dense\",\"beam\":1}"),
                json.readTree(RequestMix.body(RequestMix.Endpoint.NATIVE, "Hallo", "tiny-dense", 1)));
    }

    @Test
    void plotTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(200.0, LatencyPlot.niceStep(181.6), 1e-9);
        assertEquals(1.0, LatencyPlot.niceStep(1.0), 1e-9);
        assertEquals(5.0, LatencyPlot.niceStep(2.5), 1e-9);
        assertEquals(0.05, LatencyPlot.niceStep(0.04), 1e-12);
        assertEquals(1000.0, LatencyPlot.niceStep(501), 1e-9);
    }

    @Test
    void saturationMeansTooFewAnswersOrTooManyErrors() {
        assertFalse(LoadTestMain.saturated(step(100, 1000, 5, 1000)));     // 100/s achieved, 0.5% errors
        assertTrue(LoadTestMain.saturated(step(100, 800, 0, 1000)));       // 80/s of 100/s
        assertTrue(LoadTestMain.saturated(step(100, 990, 20, 1000)));      // 2% errors
        StepResult late = new StepResult(100, 10, 20, 1000, new TreeMap<>(Map.of("200", 1000L)), step(100, 1000, 0, 1000).ok(),
                new Histogram(3_600_000_000L, 3), List.of());
        assertEquals(50.0, late.achievedRate(), 1e-9, "all answered, but over 20 s: 50/s");
        assertTrue(LoadTestMain.saturated(late));
    }

    @Test
    void reportHasTheTableJsonMarkdownAndAPlot(@TempDir Path dir) throws Exception {
        Map<String, StepResult> fractions = new LinkedHashMap<>();
        fractions.put("50%", step(50, 500, 0, 20_000));
        LoadReport report = new LoadReport(Map.of("label", "tiny <kmatrix>"), List.of(step(10, 100, 0, 10_000), step(100, 700, 300, 900_000)),
                70.0, fractions);
        String table = report.table();
        assertTrue(table.contains("saturation: 70.0 successful requests/s"), table);
        assertTrue(table.contains("503:300"), table);
        report.write(dir);
        JsonNode root = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals(70.0, root.get("saturation_rps").asDouble());
        JsonNode first = root.get("steps").get(0);
        assertEquals(10.0, first.get("offered_rps").asDouble());
        assertEquals(10.0, first.get("achieved_rps").asDouble());
        assertEquals(5.0, first.get("latency_ms").get("p50").asDouble(), 0.01);
        assertEquals(10.0, first.get("latency_ms").get("max").asDouble(), 0.01);
        assertTrue(first.get("refused_latency_ms").get("p50").isNull(), "no refusals: null, not NaN");
        assertEquals(100, first.get("timeline").get(0).get("ok").asInt());
        assertEquals(1.5, first.get("timeline").get(0).get("p50_ms").asDouble());
        assertTrue(first.get("timeline").get(0).get("p99_ms").isNull());
        assertEquals(300, root.get("steps").get(1).get("outcomes").get("503").asInt());
        assertEquals(50.0, root.get("at_fraction_of_saturation").get("50%").get("offered_rps").asDouble());
        String markdown = Files.readString(dir.resolve("report.md"));
        assertTrue(markdown.contains("| 50.0 (50% of sat.) | 50.0 |"), markdown);
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readString(dir.resolve("latency.svg")).getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", svg.getDocumentElement().getTagName());
        assertEquals(4, svg.getElementsByTagName("polyline").getLength(), "p50, p90, p99, p99.9");
        assertEquals(12, svg.getElementsByTagName("circle").getLength(), "3 steps × 4 percentiles");
    }
}
