package io.kaleidoscope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The text-level API and the thread-safe facade, on the tiny K-matrix bundle. */
class TranslatorTest {

    @Test
    void textsAreSplitTranslatedSentenceBySentenceAndRejoinedWithTheirWhitespace() {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            SearchOptions greedy = t.defaultOptions().withBeam(1);
            List<String> sentences = t.translateSentences(
                    List.of("Die Datei wurde nicht gefunden.", "Einstellungen speichern", "Drucker nicht verfügbar."), greedy);
            String text = "  Die Datei wurde nicht gefunden.  Einstellungen speichern\n\n\tDrucker nicht verfügbar. ";
            String expected = "  " + sentences.get(0) + "  " + sentences.get(1) + "\n\n\t" + sentences.get(2) + " ";
            assertEquals(List.of(expected, "", " \n "), t.translate(List.of(text, "", " \n "), greedy));
            assertTrue(!sentences.get(0).isBlank(), "a translation came out: " + sentences);
        }
    }

    @Test
    void concurrentCallersGetTheSameTranslationsAsOneCaller() throws Exception {
        List<String> inputs = List.of("Datei öffnen", "Fenster schließen", "Neuer Ordner", "Bild speichern",
                "Fehler beim Laden der Datei.", "Drucker nicht gefunden");
        try (ConcurrentTranslator facade = new ConcurrentTranslator(Translator.load(TestBundles.TINY_DENSE), "engine-test")) {
            SearchOptions options = facade.defaultOptions();
            List<String> sequential = facade.translate(inputs, options);
            ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
            List<CompletableFuture<List<String>>> futures = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String input = inputs.get(i % inputs.size());
                futures.add(CompletableFuture.supplyAsync(() -> facade.translate(List.of(input), options), callers));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(List.of(sequential.get(i % inputs.size())), futures.get(i).get(), "caller " + i);
            }
            callers.shutdown();
        }
    }

    @Test
    void maxTokensCapsEveryOutputAndKeepsItsPrefix() {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            int[][] sources = {t.tokenizer().sourceIds("Die Datei wurde nicht gefunden, bitte versuchen Sie es später erneut."),
                    t.tokenizer().sourceIds("Drucker nicht verfügbar.")};
            SearchOptions greedy = t.defaultOptions().withBeam(1);
            int[][] free = t.translateIds(sources, greedy);
            assertTrue(free[0].length > 3, "the long sentence needs more than 3 tokens: " + free[0].length);
            t.timings().reset();
            int[][] capped = t.translateIds(sources, greedy.withMaxTokens(3));
            assertEquals(sources[0].length + sources[1].length, t.timings().snapshot().sourceTokens());
            assertEquals(capped[0].length + capped[1].length, t.timings().snapshot().targetTokens());
            for (int i = 0; i < sources.length; i++) {
                assertTrue(capped[i].length <= 3, "sentence " + i + " has " + capped[i].length + " tokens");
                // Greedy search cut short: the same tokens as the free run, up to the cap.
                assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOf(free[i], Math.min(3, free[i].length))),
                        java.util.Arrays.toString(capped[i]), "sentence " + i);
            }
        }
    }

    @Test
    void searchesFreeTheirDirectMemoryWhenTheyEnd() {
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            List<String> batch = List.of("Die Datei wurde nicht gefunden.", "Einstellungen speichern", "Drucker nicht verfügbar.",
                    "Möchten Sie die Änderungen speichern, bevor Sie das Dokument schließen?");
            SearchOptions options = t.defaultOptions();
            t.translate(batch, options);
            long before = direct.getMemoryUsed();
            for (int i = 0; i < 40; i++) {
                t.translate(batch, options);
            }
            // Each of these searches allocates about 1 MB of tensors; none of it may stay behind
            // waiting for a garbage collection.
            long grown = direct.getMemoryUsed() - before;
            assertTrue(grown < 256 * 1024, "direct memory grew by " + grown + " bytes over 40 searches");
        }
    }

    @Test
    void aStopCheckEndsTheSearchBeforeTheNextStep() {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            List<String> batch = List.of("Die Datei wurde nicht gefunden, bitte versuchen Sie es später erneut.");
            for (int beam : new int[] {1, 4}) {
                SearchOptions options = t.defaultOptions().withBeam(beam);
                int[] checks = {0};
                t.timings().reset();
                assertThrows(java.util.concurrent.CancellationException.class,
                        () -> io.kaleidoscope.search.Cancellation.stoppable(() -> ++checks[0] > 3, () -> t.translate(batch, options)));
                assertEquals(3, t.timings().snapshot().steps(), "beam " + beam + ": three steps ran, the fourth was stopped");
                // Without a stop check, and after a stopped one, the same translation comes out.
                assertEquals(t.translate(batch, options), io.kaleidoscope.search.Cancellation.stoppable(() -> false, () -> t.translate(batch, options)));
            }
        }
    }

    @Test
    void maxOutputLengthIsTheRelativeLimitCappedAtMaxTokensPlusEos() {
        SearchOptions options = new SearchOptions(4, 1.0, 1.5, 10);
        assertEquals(25, options.maxOutputLength(10));
        assertEquals(6, options.withMaxTokens(5).maxOutputLength(10));
        assertEquals(13, options.withMaxTokens(100).maxOutputLength(2));
    }

    @Test
    void badSearchOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SearchOptions(0, 1.0, 1.5, 10));
        assertThrows(IllegalArgumentException.class, () -> new SearchOptions(4, 1.0, 1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new SearchOptions(4, 1.0, 1.5, 10, 0));
    }
}
