package io.kaleidoscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaleidoscope.TestBundles;
import io.kaleidoscope.eval.CorpusBleu;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kaleido evaluate --baseline}: the golden sentences with the tiny K-matrix bundle's own
 * beam-4 translations as references, so the model scores 100 and the dense baseline what its
 * golden translations score against them.
 */
class EvaluateCommandTest {

    @Test
    void comparesTheModelWithTheBaselineOnTheSameSentences(@TempDir Path dir) throws IOException {
        List<String> sources = new ArrayList<>();
        List<String> references = new ArrayList<>();
        for (JsonNode s : golden(TestBundles.TINY_KMATRIX)) {
            sources.add(s.get("source").asText());
            references.add(s.get("beam4_text").asText());
        }
        List<String> baseline = new ArrayList<>();
        for (JsonNode s : golden(TestBundles.TINY_DENSE)) {
            baseline.add(s.get("beam4_text").asText());
        }
        Path tsv = dir.resolve("test.tsv");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            lines.add(sources.get(i) + "\t" + references.get(i));
        }
        Files.write(tsv, lines, StandardCharsets.UTF_8);

        String out = run("--model", TestBundles.TINY_KMATRIX.toString(), "--baseline", TestBundles.TINY_DENSE.toString(),
                "--data", tsv.toString(), "--resamples", "50");

        double baselineBleu = CorpusBleu.score(baseline, List.of(references)).score();
        assertTrue(out.contains("model: tiny-kmatrix (kmatrix), beam 4"), out);
        assertTrue(out.contains("baseline: tiny-dense (dense), beam 4"), out);
        assertTrue(out.contains("BLEU = 100.00 100.0/100.0/100.0/100.0"), out);
        assertTrue(out.contains("paired bootstrap, model - baseline (50 resamples of the 6 sentences, seed 20041):"), out);
        // only the first sentence is translated alike, so every resample but one of that sentence
        // six times over (none here) is a win
        String bleuLine = out.lines().filter(l -> l.startsWith("BLEU  ")).findFirst().orElseThrow();
        assertEquals(String.format(Locale.ROOT, "BLEU  %+.2f", 100.0 - baselineBleu), bleuLine.substring(0, bleuLine.indexOf(',')));
        assertTrue(bleuLine.endsWith("model better in 50 of 50 (p = 0.0196)"), bleuLine);
    }

    private static JsonNode golden(Path bundle) throws IOException {
        return new ObjectMapper().readTree(bundle.resolve("golden.json").toFile()).get("sentences");
    }

    private static String run(String... args) throws IOException {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            EvaluateCommand.main(args);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
