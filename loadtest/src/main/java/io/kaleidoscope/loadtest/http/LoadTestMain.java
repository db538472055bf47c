package io.kaleidoscope.loadtest.http;

import io.kaleidoscope.cli.CommandLine;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * {@code ./kaleido loadtest}: the open-loop HTTP load generator. One run offers a fixed rate
 * after a warm-up; a sweep raises the rate step by step until the service saturates (it answers
 * fewer than 90% of the offered requests per second, or more than 1% of them fail), then measures
 * at 50% and 80% of the saturation throughput. Prints a table, writes report.json, report.md and
 * latency.svg.
 */
public final class LoadTestMain {
    private static final String USAGE = """
            Usage: ./kaleido loadtest [options]
              --url URL            server (default http://localhost:5000)
              --endpoint E         libre (POST /translate) or native (POST /v1/translate); default libre
              --model NAME         model for the native endpoint (default: the server's default)
              --beam N             beam for the native endpoint (default: the server's)
              --data TSV           request texts, 'class<TAB>German text' (default loadtest/data/requests.de.tsv)
              --mix SPEC           class weights (default short=6,medium=3,long=1)
              --rate R             requests/s offered (default 10); a sweep's first step
              --arrival A          poisson or constant (default poisson)
              --duration S         seconds per step (default 30)
              --warmup S           seconds of unmeasured load first, at the first rate (default 5)
              --concurrency N      cap on requests in flight (default 512); held requests wait, timed from their schedule
              --timeout S          per-request timeout in seconds (default 30)
              --sweep true         step the rate up until saturation, then run at 50% and 80% of it
              --sweep-factor F     rate multiplier between sweep steps (default 1.5)
              --max-rate R         a sweep stops here (default 5000)
              --label TEXT         names the run in the report and plot (e.g. the model)
              --seed N             schedule and text choice seed (default 1)
              --out DIR            report directory (default target/loadtest)""";
    private static final Set<String> OPTIONS = Set.of("url", "endpoint", "model", "beam", "data", "mix", "rate", "arrival", "duration",
            "warmup", "concurrency", "timeout", "sweep", "sweep-factor", "max-rate", "label", "seed", "out");
    /** Achieved below this share of the offered rate, or errors above ERROR_LIMIT: saturated. */
    static final double ACHIEVED_SHARE = 0.9;
    static final double ERROR_LIMIT = 0.01;

    private LoadTestMain() {}

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine(args, OPTIONS, USAGE);
        URI url = URI.create(cli.get("url", "http://localhost:5000"));
        RequestMix.Endpoint endpoint = switch (cli.get("endpoint", "libre")) {
            case "libre" -> RequestMix.Endpoint.LIBRE;
            case "native" -> RequestMix.Endpoint.NATIVE;
            default -> {
                CommandLine.fail("--endpoint must be libre or native", USAGE);
                yield null;
            }
        };
        Arrivals.Kind arrival = switch (cli.get("arrival", "poisson")) {
            case "poisson" -> Arrivals.Kind.POISSON;
            case "constant" -> Arrivals.Kind.CONSTANT;
            default -> {
                CommandLine.fail("--arrival must be poisson or constant", USAGE);
                yield null;
            }
        };
        Integer beam = cli.has("beam") ? cli.intValue("beam", 4, 1, 16, USAGE) : null;
        if ((beam != null || cli.has("model")) && endpoint != RequestMix.Endpoint.NATIVE) {
            CommandLine.fail("--model and --beam need --endpoint native (the LibreTranslate API has neither)", USAGE);
        }
        Path data = Path.of(cli.get("data", "loadtest/data/requests.de.tsv"));
        RequestMix mix;
        try {
            mix = new RequestMix(RequestMix.read(data), RequestMix.weights(cli.get("mix", "short=6,medium=3,long=1")));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            CommandLine.fail(e.getMessage(), USAGE);
            return;
        }
        double rate = cli.doubleValue("rate", 10, 0.01, 1e6, USAGE);
        double duration = cli.doubleValue("duration", 30, 0.1, 86_400, USAGE);
        double warmup = cli.doubleValue("warmup", 5, 0, 3_600, USAGE);
        int concurrency = cli.intValue("concurrency", 512, 1, 100_000, USAGE);
        Duration timeout = Duration.ofMillis((long) (cli.doubleValue("timeout", 30, 0.001, 3_600, USAGE) * 1000));
        boolean sweep = Boolean.parseBoolean(cli.get("sweep", "false"));
        double factor = cli.doubleValue("sweep-factor", 1.5, 1.01, 100, USAGE);
        double maxRate = cli.doubleValue("max-rate", 5000, 0.01, 1e6, USAGE);
        long seed = cli.intValue("seed", 1, 0, Integer.MAX_VALUE, USAGE);
        Path out = Path.of(cli.get("out", "target/loadtest"));

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("label", cli.get("label", ""));
        settings.put("url", url.toString());
        settings.put("endpoint", endpoint.path);
        settings.put("model", cli.get("model", null));
        settings.put("beam", beam);
        settings.put("data", data.toString());
        settings.put("mix", cli.get("mix", "short=6,medium=3,long=1"));
        settings.put("arrival", arrival.name().toLowerCase(Locale.ROOT));
        settings.put("seconds_per_step", duration);
        settings.put("warmup_seconds", warmup);
        settings.put("concurrency_cap", concurrency);
        settings.put("timeout_seconds", timeout.toMillis() / 1000.0);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        requireReady(client, url);
        PrintStream progress = System.console() != null ? System.err : null;
        OpenLoopRun run = new OpenLoopRun(client, url, mix, endpoint, cli.get("model", null), beam, concurrency, timeout);
        if (warmup > 0) {
            System.err.printf("warming up: %.0f s at %.1f requests/s%n", warmup, rate);
            run.run(rate, warmup, arrival, seed + 1_000, progress);
        }
        LoadReport report = sweep
                ? sweep(run, rate, factor, maxRate, duration, arrival, seed, progress, settings)
                : new LoadReport(settings, List.of(step(run, rate, duration, arrival, seed, progress)), Double.NaN, Map.of());
        System.out.print(report.table());
        report.write(out);
        System.out.println("report: " + out.resolve("report.json") + ", " + out.resolve("report.md") + ", plot: " + out.resolve("latency.svg"));
        if (report.steps().stream().allMatch(s -> s.okCount() == 0)) {
            // No request succeeded (a wrong --model, a wrong key, a server refusing everything): the
            // numbers measure nothing, so a script running this must see a failure.
            System.err.println("loadtest: no request got a 2xx answer; outcomes: " + report.steps().getLast().outcomes());
            System.exit(1);
        }
    }

    private static StepResult step(OpenLoopRun run, double rate, double duration, Arrivals.Kind arrival, long seed, PrintStream progress)
            throws InterruptedException {
        StepResult result = run.run(rate, duration, arrival, seed, progress);
        Map<String, Double> p = StepResult.percentilesMillis(result.ok());
        System.err.printf("%9.1f req/s offered: %.1f/s answered 2xx, p50 %.1f ms, p99 %.1f ms, errors %s%n", rate, result.achievedRate(),
                p.get("p50"), p.get("p99"), result.errorSummary());
        return result;
    }

    /** Whether a step shows the service past its capacity. */
    static boolean saturated(StepResult step) {
        return step.achievedRate() < ACHIEVED_SHARE * step.offeredRate() || step.errorShare() > ERROR_LIMIT;
    }

    private static LoadReport sweep(OpenLoopRun run, double rate, double factor, double maxRate, double duration, Arrivals.Kind arrival,
                                    long seed, PrintStream progress, Map<String, Object> settings) throws InterruptedException {
        List<StepResult> steps = new ArrayList<>();
        for (double r = rate; r <= maxRate; r *= factor) {
            StepResult result = step(run, r, duration, arrival, seed + steps.size(), progress);
            steps.add(result);
            if (saturated(result)) {
                break;
            }
        }
        double saturation = steps.stream().mapToDouble(StepResult::achievedRate).max().orElse(0);
        Map<String, StepResult> fractions = new LinkedHashMap<>();
        if (saturation > 0) {
            for (double share : new double[] {0.5, 0.8}) {
                fractions.put("%.0f%%".formatted(share * 100),
                        step(run, share * saturation, duration, arrival, seed + 100 + fractions.size(), progress));
            }
        }
        return new LoadReport(settings, steps, saturation, fractions);
    }

    /** Fails with a clear message unless the server answers GET /ready with 200. */
    private static void requireReady(HttpClient client, URI url) throws InterruptedException {
        try {
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(url.resolve("/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (ready.statusCode() != 200) {
                CommandLine.fail(url + " is not ready (GET /ready answered " + ready.statusCode() + ")", USAGE);
            }
        } catch (IOException e) {
            CommandLine.fail("cannot reach " + url + ": " + e, USAGE);
        }
    }
}
