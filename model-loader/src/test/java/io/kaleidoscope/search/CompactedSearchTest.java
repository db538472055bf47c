package io.kaleidoscope.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.model.Decoder;
import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.model.EncodedBatch;
import io.kaleidoscope.model.ForwardingDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batch whose sentences finish at different steps is compacted in place, holes filled from the
 * end ({@link Compaction}): each sentence still gets exactly what it gets decoded alone.
 */
class CompactedSearchTest {
    private static final String[] TEXTS = {
        "Die Datei wurde nicht gefunden.",
        "Einstellungen speichern",
        "Ja",
        "Das Programm konnte die Verbindung zum Server nicht herstellen, weil das Netzwerk nicht erreichbar ist.",
        "Drucken",
        "Möchten Sie die Änderungen an diesem Dokument speichern, bevor Sie es schließen?",
        "Abbrechen",
        "Fehler beim Lesen der Konfigurationsdatei.",
    };

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void eachSentenceOfACompactedBatchDecodesAsItDoesAlone(int beam) {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            int[][] sources = new int[TEXTS.length][];
            int[] maxLengths = new int[TEXTS.length];
            for (int i = 0; i < TEXTS.length; i++) {
                sources[i] = t.tokenizer().sourceIds(TEXTS[i]);
                maxLengths[i] = t.defaultOptions().maxOutputLength(sources[i].length);
            }
            RecordingDecoder recording = new RecordingDecoder(t.decoder());
            int[][] batched = search(t, recording, sources, maxLengths, beam);
            assertTrue(recording.movedRows > 0, "some compaction moved a live sentence into a finished one's place");
            for (int i = 0; i < TEXTS.length; i++) {
                int[][] alone = search(t, t.decoder(), new int[][] {sources[i]}, new int[] {maxLengths[i]}, beam);
                assertArrayEquals(alone[0], batched[i], "sentence " + i + ": " + TEXTS[i]);
            }
        }
    }

    private static int[][] search(Translator t, Decoder decoder, int[][] sources, int[] maxLengths, int beam) {
        EncodedBatch encoded = t.encoder().encode(sources);
        try (DecoderState state = decoder.newState(encoded, null)) {
            if (beam == 1) {
                return GreedySearch.run(decoder, state, t.config(), maxLengths);
            }
            BeamSearch.Hypothesis[] best = BeamSearch.run(decoder, state, t.config(), maxLengths, beam, 1.0);
            int[][] ids = new int[best.length][];
            for (int i = 0; i < best.length; i++) {
                ids[i] = best[i].ids();
            }
            return ids;
        }
    }

    /** The real decoder, counting the rows that compactions moved. */
    private static final class RecordingDecoder extends ForwardingDecoder {
        int movedRows;

        RecordingDecoder(Decoder inner) {
            super(inner);
        }

        @Override
        public DecoderState compact(DecoderState state, int[] keep) {
            for (int r = 0; r < keep.length; r++) {
                if (keep[r] != r) {
                    movedRows++;
                }
            }
            return super.compact(state, keep);
        }
    }
}
