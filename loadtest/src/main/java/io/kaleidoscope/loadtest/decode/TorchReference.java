package io.kaleidoscope.loadtest.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the PyTorch eager reference ({@code training/bench_decode.py} with Debian's
 * {@code /usr/bin/python3}, one thread, OpenBLAS, pinned like this JVM) for both bundles, batch 1,
 * beam 1 and 4, median of 3 runs: its target tokens/s per model and beam, and its JSON lines for
 * the report.
 */
final class TorchReference {
    /** PyTorch's results: tokens/s keyed by {@link #key}, and its output lines. */
    record Result(Map<String, Double> tokensPerSecond, String lines) {
        static String key(String model, int beam) {
            return model + " beam " + beam;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TorchReference() {}

    /**
     * Runs the reference; {@code models} names the bundles ("dense", "K-matrix") in the report;
     * {@code lengths}: the length limit of the Java run (null: the bundles' own).
     */
    static Result run(Map<String, Path> models, Path data, int sentences, LengthRule lengths)
            throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder("\nPyTorch eager reference (training/bench_decode.py, torch.set_num_threads(1), batch 1):\n\n```\n");
        Map<String, Double> speeds = new HashMap<>();
        Path script = Path.of("training/bench_decode.py");
        if (!Files.isRegularFile(script)) {
            return new Result(speeds, out.append("training/bench_decode.py not found: reference not run\n```\n").toString());
        }
        for (Map.Entry<String, Path> model : models.entrySet()) {
            Path bundle = model.getValue();
            // The K-matrix model in its faster PyTorch form (one materialised matrix per layer):
            // the strongest reference, not a straw man; the per-level form is about 7× slower.
            String form = model.getKey().equals("K-matrix") ? "materialized" : "levels";
            for (int beam : new int[] {1, 4}) {
                List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-m", "training.bench_decode",
                        bundle.toString(), "--data", data.toString(), "--limit", Integer.toString(sentences),
                        "--beam", Integer.toString(beam), "--batch", "1", "--repeat", "3", "--kmatrix-form", form, "--json"));
                if (lengths != null) {
                    command.addAll(List.of("--max-len-a", Double.toString(lengths.a()), "--max-len-b", Integer.toString(lengths.b())));
                }
                Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
                String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                int rc = p.waitFor();
                out.append(String.format(Locale.ROOT, "%s beam %d: %s%n", bundle.getFileName(), beam,
                        rc == 0 ? lastLine(stdout) : "failed (exit " + rc + "): " + lastLine(stderr)));
                if (rc == 0) {
                    JsonNode result = JSON.readTree(lastLine(stdout));
                    speeds.put(Result.key(model.getKey(), beam), result.get("target_tokens_per_s").asDouble());
                }
            }
        }
        return new Result(speeds, out.append("```\n").toString());
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }
}
