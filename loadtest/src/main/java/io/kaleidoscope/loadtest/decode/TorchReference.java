package io.kaleidoscope.loadtest.decode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the PyTorch eager reference ({@code training/bench_decode.py} with Debian's
 * {@code /usr/bin/python3}, one thread, OpenBLAS, pinned like this JVM) for both bundles, batch 1,
 * beam 1 and 4, median of 3 runs, and returns its lines for the report (PyTorch's own JSON).
 */
final class TorchReference {
    private TorchReference() {}

    static String run(Path dense, Path kmatrix, Path data, int sentences) throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder("\nPyTorch eager reference (training/bench_decode.py, torch.set_num_threads(1), batch 1):\n\n```\n");
        Path script = Path.of("training/bench_decode.py");
        if (!Files.isRegularFile(script)) {
            return out.append("training/bench_decode.py not found: reference not run\n```\n").toString();
        }
        for (Path bundle : new Path[] {dense, kmatrix}) {
            // The K-matrix model in its faster PyTorch form (one materialised matrix per layer):
            // the strongest reference, not a straw man; the per-level form is about 7× slower.
            String form = bundle.equals(kmatrix) ? "materialized" : "levels";
            for (int beam : new int[] {1, 4}) {
                List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-m", "training.bench_decode",
                        bundle.toString(), "--data", data.toString(), "--limit", Integer.toString(sentences),
                        "--beam", Integer.toString(beam), "--batch", "1", "--repeat", "3", "--kmatrix-form", form, "--json"));
                Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
                String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                int rc = p.waitFor();
                out.append(String.format(Locale.ROOT, "%s beam %d: %s%n", bundle.getFileName(), beam,
                        rc == 0 ? lastLine(stdout) : "failed (exit " + rc + "): " + lastLine(stderr)));
            }
        }
        return out.append("```\n").toString();
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }
}
