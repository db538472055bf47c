package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.bundle.SafetensorsFile;
import io.kaleidoscope.search.GreedySearch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lexical shortlist: which candidates a batch gets (checked against the bundle's tables read
 * independently), what a shortlisted step computes (the full step's log-probs renormalised over
 * the candidates, −∞ elsewhere), that a search only emits candidates, and that a malformed
 * shortlist is refused at load (an unlisted one: BundleFaultTest).
 */
class ShortlistTest {
    private static final List<String> SENTENCES = List.of(
            "Die Datei wurde nicht gefunden.",
            "Klicken Sie auf „Weiter“, um fortzufahren.",
            "Fehler beim Speichern von %s",
            "Einstellungen");

    @TempDir
    Path temp;

    static Path[] bundles() {
        return new Path[] {TestBundles.TINY_DENSE, TestBundles.TINY_KMATRIX};
    }

    private static int[][] sources(Translator t) {
        return SENTENCES.stream().map(s -> t.tokenizer().sourceIds(s)).toArray(int[][]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void candidatesAreTheFrequentTheSourceAndTheListedPieces(Path bundle) {
        try (Translator t = Translator.load(bundle)) {
            Shortlist shortlist = t.shortlist();
            assertNotNull(shortlist, bundle + " ships a shortlist");
            var index = t.bundle().manifest().shortlist();
            SafetensorsFile tables = SafetensorsFile.read(bundle, index.tensors());
            long[] frequent = tables.readLongs("shortlist.frequent");
            long[] bySource = tables.readLongs("shortlist.by_source");
            int[][] sources = sources(t);

            TreeSet<Integer> expected = new TreeSet<>();
            Arrays.stream(frequent).forEach(id -> expected.add((int) id));
            for (int[] source : sources) {
                for (int s : source) {
                    expected.add(s);
                    for (int i = 0; i < index.perSource(); i++) {
                        long id = bySource[s * index.perSource() + i];
                        if (id >= 0) {
                            expected.add((int) id);
                        }
                    }
                }
            }
            expected.remove(t.config().pad());
            expected.remove(t.config().bos());
            int[] candidates = shortlist.candidates(sources);
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), candidates);
            assertTrue(expected.contains(t.config().eos()));
            assertTrue(candidates.length < t.config().vocabSize() / 2, candidates.length + " candidates");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void shortlistedStepsAreTheFullStepsRenormalisedOverTheCandidates(Path bundle) {
        try (Translator t = Translator.load(bundle)) {
            ModelConfig config = t.config();
            int[][] sources = sources(t);
            int[] candidates = t.shortlist().candidates(sources);
            int rows = sources.length;
            int vocab = config.vocabSize();
            int[][] inputs = {filled(rows, config.bos()), {candidates[5], candidates[9], candidates[1], candidates[20]}};
            float[][] full = new float[2][];
            try (DecoderState state = t.decoder().newState(t.encoder().encode(sources))) {
                for (int step = 0; step < 2; step++) {
                    state.setInputs(inputs[step], step);
                    t.decoder().step(state);
                    full[step] = new float[rows * vocab];
                    state.logProbs().get(0, full[step]);
                }
            }
            try (DecoderState state = t.decoder().newState(t.encoder().encode(sources), candidates)) {
                for (int step = 0; step < 2; step++) {
                    state.setInputs(inputs[step], step);
                    t.decoder().step(state);
                    for (int r = 0; r < rows; r++) {
                        double sum = 0;
                        for (int c : candidates) {
                            sum += Math.exp(full[step][r * vocab + c]);
                        }
                        double logSum = Math.log(sum);
                        int next = 0;
                        for (int v = 0; v < vocab; v++) {
                            float got = state.logProbs().get(r * vocab + v);
                            if (next < candidates.length && candidates[next] == v) {
                                next++;
                                assertEquals(full[step][r * vocab + v] - logSum, got, 1e-4,
                                        "step %d row %d token %d".formatted(step, r, v));
                            } else {
                                assertEquals(Float.NEGATIVE_INFINITY, got, "step %d row %d token %d".formatted(step, r, v));
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void aShortlistOfTheWholeVocabularyGivesTheFullGreedyOutput(Path bundle) {
        try (Translator t = Translator.load(bundle)) {
            ModelConfig config = t.config();
            int[][] sources = sources(t);
            int[] everything = IntStream.range(0, config.vocabSize())
                    .filter(v -> v != config.pad() && v != config.bos()).toArray();
            int[] maxLengths = Arrays.stream(sources).mapToInt(s -> t.defaultOptions().maxOutputLength(s.length)).toArray();
            int[][] full;
            try (DecoderState state = t.decoder().newState(t.encoder().encode(sources))) {
                full = GreedySearch.run(t.decoder(), state, config, maxLengths);
            }
            try (DecoderState state = t.decoder().newState(t.encoder().encode(sources), everything)) {
                assertArrayEquals(full, GreedySearch.run(t.decoder(), state, config, maxLengths));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void shortlistedSearchesEmitOnlyCandidates(Path bundle) {
        try (Translator t = Translator.load(bundle)) {
            int[][] sources = sources(t);
            int[] candidates = t.shortlist().candidates(sources);
            for (int beam : new int[] {1, 4}) {
                SearchOptions options = t.defaultOptions().withBeam(beam).withShortlist(true);
                int[][] outputs = t.translateIds(sources, options, sources.length);
                int emitted = 0;
                for (int[] output : outputs) {
                    for (int id : output) {
                        assertTrue(Arrays.binarySearch(candidates, id) >= 0, "beam %d emitted %d".formatted(beam, id));
                        emitted++;
                    }
                }
                assertTrue(emitted >= sources.length, "beam " + beam + " emitted " + emitted + " tokens");
            }
        }
    }

    @Test
    void aShortlistThatDoesNotFitTheVocabularyIsRefused() throws IOException {
        Path b = TestBundles.copy(TestBundles.TINY_KMATRIX, temp.resolve("bundle"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(b.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("shortlist")).put("per_source", 5);
        json.writeValue(b.resolve("manifest.json").toFile(), manifest);
        BundleException e = assertThrows(BundleException.class, () -> Shortlist.load(Bundle.open(b)));
        assertEquals("shortlist.safetensors", e.file());
        assertTrue(e.getMessage().contains("shortlist.by_source has shape"), e.getMessage());
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }
}
