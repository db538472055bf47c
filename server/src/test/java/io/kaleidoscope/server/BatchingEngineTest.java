package io.kaleidoscope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's queue sheds load with 503 when full and takes work again once texts are done. */
class BatchingEngineTest {
    private static final Path KMATRIX = Path.of(System.getProperty("kaleido.models", "../models")).toAbsolutePath()
            .normalize().resolve("tiny-kmatrix");

    @Test
    void aFailingBatchFailsOnlyItsRequestsAndTheEngineKeepsServing() {
        Translator translator = Translator.load(KMATRIX);
        BatchingEngine.Decode failOnPoison = (texts, options) -> {
            if (texts.contains("POISON")) {
                throw new IllegalStateException("injected failure");
            }
            return translator.translate(texts, options);
        };
        try (BatchingEngine engine = new BatchingEngine(translator, failOnPoison, "test", 16, 4000, 0, 0, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions().withBeam(1);
            var poisoned = engine.submit(List.of("POISON"), options);
            java.util.concurrent.CompletionException failed = assertThrows(java.util.concurrent.CompletionException.class, poisoned::join);
            assertEquals("injected failure", failed.getCause().getMessage());
            assertEquals(translator.translate(List.of("Datei öffnen"), options),
                    engine.submit(List.of("Datei öffnen"), options).join().texts());
        }
    }

    @Test
    void textsThatWouldWaitLongerThanTheLimitAreRefusedAtOnce() {
        Translator translator = Translator.load(KMATRIX);
        // 40 ms per character, whatever the batch: the engine learns that pace from the first batch.
        BatchingEngine.Decode slow = (texts, options) -> {
            sleepPerCharacter(texts, 40);
            return texts.stream().map(t -> "x").toList();
        };
        // batchChars 4: every batch here is full enough to teach the pace
        try (BatchingEngine engine = new BatchingEngine(translator, slow, "test", 100, 4, 0, 300, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions();
            engine.submit(List.of("eins"), options).join();
            ApiException tooBig = assertThrows(ApiException.class, () -> engine.submit(List.of("abcdefgh"), options));
            assertEquals(413, tooBig.status());   // 8 × 40 ms alone is over the 300 ms limit
            assertTrue(tooBig.getMessage().startsWith("these texts would take about 0.3 s to translate, over the limit of 0.3 s"),
                    tooBig.getMessage());
            var five = engine.submit(List.of("a", "b", "c", "d", "e"), options);      // 5 × 40 ms = 200 ms ≤ 300 ms
            long start = System.nanoTime();
            ApiException refused = assertThrows(ApiException.class, () -> engine.submit(List.of("f", "g", "h", "i", "j"), options));
            long refusedAfter = System.nanoTime() - start;
            assertEquals(503, refused.status());
            assertTrue(refused.getMessage().startsWith("the translation queue is 0.4 s deep (limit 0.3 s"), refused.getMessage());
            assertTrue(refusedAfter < 100_000_000L, "refused at once, not after waiting: " + refusedAfter + " ns");
            assertEquals(5, five.join().texts().size());
            assertEquals(5, engine.submit(List.of("f", "g", "h", "i", "j"), options).join().texts().size());   // room again
            // The pace is per beam width: greedy has none measured yet, so only the count limit applies to it.
            assertEquals(8, engine.submit(List.of("abcdefgh", "", "", "", "", "", "", ""), options.withBeam(1)).join().texts().size());
        }
    }

    @Test
    void aForgottenPaceIsMeasuredAfreshSoAColdWarmUpRefusesNothingLater() {
        Translator translator = Translator.load(KMATRIX);
        // The first batch is slow, as a warm-up before the JIT has compiled the engine; later ones are fast.
        java.util.concurrent.atomic.AtomicBoolean cold = new java.util.concurrent.atomic.AtomicBoolean(true);
        BatchingEngine.Decode warmingUp = (texts, options) -> {
            if (cold.getAndSet(false)) {
                sleepPerCharacter(texts, 40);
            }
            return texts.stream().map(t -> "x").toList();
        };
        try (BatchingEngine engine = new BatchingEngine(translator, warmingUp, "test", 100, 4, 0, 300, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions();
            engine.submit(List.of("eins"), options).join();   // 40 ms per character learnt
            assertEquals(413, assertThrows(ApiException.class, () -> engine.submit(List.of("abcdefgh"), options)).status());
            engine.forgetPace();
            assertEquals(List.of("x"), engine.submit(List.of("abcdefgh"), options).join().texts());
            // the pace now comes from that fast batch: ten times the text is still accepted
            assertEquals(10, engine.submit(java.util.Collections.nCopies(10, "abcdefgh"), options).join().texts().size());
        }
    }

    @Test
    void onlyBatchesOfAQuarterOfBatchCharsTeachThePaceAndGapsCostNothing() {
        Translator translator = Translator.load(KMATRIX);
        BatchingEngine.Decode slow = (texts, options) -> {
            sleepPerCharacter(texts, 2);
            return texts.stream().map(t -> "x").toList();
        };
        // batchChars 400: batches of 100 characters or more teach the pace
        try (BatchingEngine engine = new BatchingEngine(translator, slow, "test", 100, 400, 0, 300, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions();
            engine.submit(List.of("eins"), options).join();   // 4 characters: mostly fixed costs, no pace
            assertEquals(1, engine.submit(List.of("z".repeat(200)), options).join().texts().size());   // no pace yet: taken
            // that 200-character batch taught 2 ms per character: 200 more would take 400 ms, over the 300 ms limit
            assertEquals(413, assertThrows(ApiException.class, () -> engine.submit(List.of("z".repeat(200)), options)).status());
            // line breaks, no-break spaces and control characters are no work: 5 characters here, 10 ms
            String spaced = "\n".repeat(2000) + "\u00a0".repeat(500) + "\u0000Hallo";
            assertEquals(1, engine.submit(List.of(spaced), options).join().texts().size());
            assertEquals(5, BatchingEngine.wordChars(List.of(spaced)));
        }
    }

    @Test
    void aRequestWithMoreTextsThanTheQueueHoldsIsRefusedWith413NotARetry() {
        Translator translator = Translator.load(KMATRIX);
        try (BatchingEngine engine = new BatchingEngine(translator, (texts, options) -> texts, "test", 16, 4000, 0, 0, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions();
            ApiException tooMany = assertThrows(ApiException.class,
                    () -> engine.submit(java.util.Collections.nCopies(17, "a"), options));
            assertEquals(413, tooMany.status());
            assertEquals("this request holds 17 texts (with format=html, each text node counts), more than the 16 the queue holds "
                    + "(kaleido.queueTexts); send fewer", tooMany.getMessage());
            assertEquals(16, engine.submit(java.util.Collections.nCopies(16, "a"), options).join().texts().size());
        }
    }

    @Test
    void aBatchEveryCallerGaveUpOnStopsWithinAStepAndFreesTheEngine() throws Exception {
        Translator translator = Translator.load(KMATRIX);
        // A search of 1,000 steps of 10 ms (10 s) that checks for a stop before each step, as the real searches do
        // (TranslatorTest covers those); short texts decode at once.
        BatchingEngine.Decode long_ = (texts, options) -> {
            if (texts.contains("lang")) {
                for (int step = 0; step < 1_000; step++) {
                    io.kaleidoscope.search.Cancellation.checkpoint();
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return texts.stream().map(t -> "x").toList();
        };
        try (BatchingEngine engine = new BatchingEngine(translator, long_, "test", 64, 4000, 0, 0, new ServerMetrics())) {
            SearchOptions options = translator.defaultOptions();
            var abandoned = engine.submit(List.of("lang"), options);
            Thread.sleep(200);
            abandoned.cancel(false);   // what the registry does when the deadline passes
            long start = System.nanoTime();
            var next = engine.submit(List.of("kurz"), options);
            assertEquals(List.of("x"), next.get(20, java.util.concurrent.TimeUnit.SECONDS).texts());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited < 2_000, "the next request waited " + waited + " ms behind an abandoned batch");
            assertEquals(0, engine.queuedTexts());
        }
    }

    @Test
    void closingStopsTheRunningBatchWithinAStepAndAnswersItsCallersWith503() throws Exception {
        Translator translator = Translator.load(KMATRIX);
        BatchingEngine.Decode long_ = (texts, options) -> {
            for (int step = 0; step < 1_000; step++) {   // 10 s, checking for a stop before each step
                io.kaleidoscope.search.Cancellation.checkpoint();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    // the close interrupts the engine thread; the search goes on to its next checkpoint
                }
            }
            return texts.stream().map(t -> "x").toList();
        };
        BatchingEngine engine = new BatchingEngine(translator, long_, "test", 64, 4000, 0, 0, new ServerMetrics());
        var running = engine.submit(List.of("lang"), translator.defaultOptions());
        Thread.sleep(200);
        long start = System.nanoTime();
        engine.close();   // must not free the translator under the running search, nor wait 10 s for it
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited < 2_000, "close waited " + waited + " ms");
        var failed = assertThrows(java.util.concurrent.ExecutionException.class, () -> running.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(503, ((ApiException) failed.getCause()).status());
        assertEquals("the server is shutting down", failed.getCause().getMessage());
    }

    @Test
    void fullQueueIsRefusedWith503AndFreesUpAfterwards() {
        Translator translator = Translator.load(KMATRIX);
        // The first batch is held until the refusal was seen: a fast decode cannot free the queue early.
        java.util.concurrent.CountDownLatch refusalSeen = new java.util.concurrent.CountDownLatch(1);
        BatchingEngine.Decode held = (texts, options) -> {
            try {
                refusalSeen.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return translator.translate(texts, options);
        };
        try (BatchingEngine engine = new BatchingEngine(translator, held, "test", 2, 4000, 0, 0, new ServerMetrics())) {
            SearchOptions options = engine.translator().defaultOptions().withBeam(4);
            var first = engine.submit(List.of("Die Datei wurde nicht gefunden.", "Einstellungen speichern"), options);
            ApiException full;
            try {
                full = assertThrows(ApiException.class, () -> engine.submit(List.of("Bild speichern"), options));
            } finally {
                refusalSeen.countDown();
            }
            assertEquals(503, full.status());
            assertEquals(2, first.join().texts().size());
            assertEquals(1, engine.submit(List.of("Bild speichern"), options).join().texts().size());
        }
    }

    /** A stand-in decode's pace: sleeps {@code millis} per character of the texts. */
    private static void sleepPerCharacter(List<String> texts, long millis) {
        try {
            Thread.sleep(millis * texts.stream().mapToInt(String::length).sum());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
