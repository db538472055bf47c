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
    void aClosedTranslatorRefusesWorkInsteadOfTouchingFreedNativeMemory() {
        Translator t = Translator.load(TestBundles.TINY_KMATRIX);
        t.close();
        t.close();   // twice is harmless
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.translate(List.of("Hallo Welt."), t.defaultOptions()));
        assertEquals("this translator is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.translateIds(new int[][] {{3}}, t.defaultOptions()));
    }

    @Test
    void closingTheFacadeStopsWorkStillRunningAfterItsGraceBeforeFreeingTheModel() throws Exception {
        ConcurrentTranslator facade = new ConcurrentTranslator(Translator.load(TestBundles.TINY_KMATRIX), "engine-close",
                java.time.Duration.ZERO);
        SearchOptions wide = facade.defaultOptions().withBeam(16);
        List<String> texts = java.util.Collections.nCopies(64, "Die Datei wurde nicht gefunden, bitte versuchen Sie es später erneut.");
        List<CompletableFuture<List<String>>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queued.add(facade.submit(texts, wide));
        }
        facade.close();   // no grace: what runs stops at its next step, the queue after it
        int stopped = 0;
        for (CompletableFuture<List<String>> f : queued) {
            assertTrue(f.isDone(), "every call has an outcome once close() returns");
            if (f.isCompletedExceptionally()) {
                java.util.concurrent.ExecutionException ee = assertThrows(java.util.concurrent.ExecutionException.class, f::get);
                assertTrue(ee.getCause() instanceof java.util.concurrent.CancellationException, ee.getCause().toString());
                stopped++;
            }
        }
        assertTrue(stopped > 0, "work was stopped rather than run to the end");
        assertEquals("this translator is closed",
                assertThrows(IllegalStateException.class, () -> facade.submit(List.of("Hallo"), wide)).getMessage());
    }

    @Test
    void sourcesOutsideTheVocabularyEmptyOrTooLongAreRefusedClearly() {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            SearchOptions o = t.defaultOptions();
            assertEquals("source 0 must end with eos (3)",
                    assertThrows(IllegalArgumentException.class, () -> t.translateIds(new int[][] {{}}, o)).getMessage());
            assertEquals("source 1 holds id -1, outside the vocabulary [0, 2000)",
                    assertThrows(IllegalArgumentException.class, () -> t.translateIds(new int[][] {{5, 3}, {-1, 3}}, o)).getMessage());
            assertEquals("source 0 holds id 2000, outside the vocabulary [0, 2000)",
                    assertThrows(IllegalArgumentException.class, () -> t.translateIds(new int[][] {{2000, 3}}, o)).getMessage());
            int[] tooLong = new int[Translator.MAX_SOURCE_TOKENS + 1];
            java.util.Arrays.fill(tooLong, 5);
            tooLong[tooLong.length - 1] = 3;
            assertEquals("source 0 has 1025 tokens, more than 1024",
                    assertThrows(IllegalArgumentException.class, () -> t.translateIds(new int[][] {tooLong}, o)).getMessage());
        }
    }

    @Test
    void searchLimitsNeverOverflowAndNonFiniteOptionsAreRefused() {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            SearchOptions o = t.defaultOptions();
            assertEquals(SearchOptions.MAX_OUTPUT_TOKENS + 1, o.withMaxLength(1e9, 10).maxOutputLength(50));
            assertEquals(6, o.withMaxLength(1e9, 10).withMaxTokens(5).maxOutputLength(50));
            assertEquals(85, o.withMaxLength(1.5, 10).maxOutputLength(50));
            assertThrows(IllegalArgumentException.class, () -> o.withMaxLength(Double.NaN, 10));
            assertThrows(IllegalArgumentException.class, () -> o.withMaxLength(Double.POSITIVE_INFINITY, 10));
            assertThrows(IllegalArgumentException.class, () -> new SearchOptions(4, Double.NaN, 1.5, 10));
            // a huge relative limit translates like the cap says, without allocating for it
            assertEquals(1, t.translate(List.of("Hallo Welt."), o.withMaxLength(1e9, 10).withMaxTokens(5)).size());
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
