package io.kaleidoscope.loadtest.http;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG line chart of latency percentiles (log scale) against offered load, one line per
 * percentile, one point per step. Self-contained: no scripts, no external fonts.
 */
final class LatencyPlot {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] SERIES = {"p50", "p90", "p99", "p99.9"};
    private static final String[] COLOURS = {"#1b9e77", "#7570b3", "#d95f02", "#e7298a"};

    private LatencyPlot() {}

    static String svg(List<StepResult> steps, String title) {
        List<StepResult> sorted = steps.stream().filter(s -> s.okCount() > 0).sorted(Comparator.comparingDouble(StepResult::offeredRate)).toList();
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
                .formatted(WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(LEFT, 22, "Latency from scheduled send vs offered load" + (title.isEmpty() ? "" : " — " + escape(title)), "start", 14));
        if (sorted.isEmpty()) {
            svg.append(text(WIDTH / 2, HEIGHT / 2, "no successful requests", "middle", 12)).append("</svg>\n");
            return svg.toString();
        }
        double maxRate = sorted.getLast().offeredRate() * 1.05;
        double lowMs = Double.MAX_VALUE;
        double highMs = 0;
        for (StepResult s : sorted) {
            Map<String, Double> p = StepResult.percentilesMillis(s.ok());
            for (String k : SERIES) {
                lowMs = Math.min(lowMs, p.get(k));
                highMs = Math.max(highMs, p.get(k));
            }
        }
        double logLow = Math.floor(Math.log10(Math.max(lowMs, 0.01)));
        double logHigh = Math.max(logLow + 1, Math.ceil(Math.log10(Math.max(highMs, 0.01))));
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        // Axes, decade grid lines and labels.
        svg.append("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n".formatted(LEFT, TOP, plotW, plotH));
        for (double d = logLow; d <= logHigh; d++) {
            double y = TOP + plotH * (1 - (d - logLow) / (logHigh - logLow));
            svg.append("<line x1=\"%d\" x2=\"%d\" y1=\"%s\" y2=\"%s\" stroke=\"#ddd\"/>%n".formatted(LEFT, LEFT + plotW, num(y), num(y)));
            svg.append(text(LEFT - 6, y + 4, label(Math.pow(10, d)) + " ms", "end", 11));
        }
        double tick = niceStep(maxRate / 5);
        for (double rate = 0; rate <= maxRate; rate += tick) {
            double x = LEFT + plotW * rate / maxRate;
            svg.append(text(x, TOP + plotH + 18, label(rate), "middle", 11));
        }
        svg.append(text(LEFT + plotW / 2.0, HEIGHT - 10, "offered load (requests/s)", "middle", 12));
        for (int k = 0; k < SERIES.length; k++) {
            StringBuilder points = new StringBuilder();
            for (StepResult s : sorted) {
                double ms = Math.max(StepResult.percentilesMillis(s.ok()).get(SERIES[k]), Math.pow(10, logLow));
                double x = LEFT + plotW * s.offeredRate() / maxRate;
                double y = TOP + plotH * (1 - (Math.log10(ms) - logLow) / (logHigh - logLow));
                points.append(num(x)).append(',').append(num(y)).append(' ');
                svg.append("<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>%n".formatted(num(x), num(y), COLOURS[k]));
            }
            svg.append("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n".formatted(COLOURS[k], points.toString().trim()));
            int ly = TOP + 10 + 20 * k;
            svg.append("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n"
                    .formatted(LEFT + plotW + 15, LEFT + plotW + 40, ly, ly, COLOURS[k]));
            svg.append(text(LEFT + plotW + 46, ly + 4, SERIES[k], "start", 12));
        }
        return svg.append("</svg>\n").toString();
    }

    /** The smallest of 1, 2 or 5 × 10^k that is at least {@code rough}: axis ticks people can read. */
    static double niceStep(double rough) {
        double decade = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * decade >= rough) {
                return m * decade;
            }
        }
        return 10 * decade;
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n".formatted(num(x), num(y), anchor, size, s);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String label(double v) {
        return v >= 10 || v == 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
