package io.kaleidoscope.bundle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SentencePiece model that does not fit the bundle is refused at load, naming it (D4): another
 * piece count than architecture.vocab_size, special ids that are not its special pieces, and an
 * empty, truncated or garbage file (which the native library would report as an EngineException).
 */
class TokenizerValidationTest {
    private static final String MODEL = "sentencepiece.model";

    @TempDir
    Path temp;

    private DamagedBundle dense() throws IOException {
        return DamagedBundle.of(TestBundles.TINY_DENSE, temp.resolve("bundle"));
    }

    /** The model with only its first {@code keep} pieces (field 1 of ModelProto), the rest unchanged. */
    private static byte[] keepPieces(byte[] model, int keep) {
        ByteArrayOutputStream pieces = new ByteArrayOutputStream();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        int at = 0;
        int kept = 0;
        while (at < model.length) {
            int start = at;
            int key = model[at++];   // field 1..5, wire type 2: one-byte keys
            long length = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = model[at++];
                length |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    break;
                }
            }
            at += (int) length;
            if (key >>> 3 == 1) {
                if (kept++ < keep) {
                    pieces.write(model, start, at - start);
                }
            } else {
                rest.write(model, start, at - start);
            }
        }
        pieces.writeBytes(rest.toByteArray());
        return pieces.toByteArray();
    }

    @Test
    void fewerPiecesThanTheVocabularyAreRefused() throws IOException {
        DamagedBundle b = dense();
        b.replace(MODEL, keepPieces(b.read(MODEL), 1000));
        b.assertRefused(MODEL, "1000 pieces, architecture.vocab_size is 2000");
    }

    @Test
    void eosThatIsAnOrdinaryPieceIsRefused() throws IOException {
        DamagedBundle b = dense();
        b.manifest().remove("shortlist");   // whose own check would name eos first
        b.at("special_tokens").put("eos", 5);
        b.save();
        b.assertRefused(MODEL, "piece 5 is a byte piece, but special_tokens.eos names it (expected a control piece)");
    }

    @Test
    void unkAndPadSwappedAreRefused() throws IOException {
        DamagedBundle b = dense();
        b.at("special_tokens").put("unk", 0).put("pad", 1);
        b.save();
        b.assertRefused(MODEL, "piece 0 is a control piece, but special_tokens.unk names it (expected the unknown piece)");
    }

    @Test
    void emptyModelIsRefused() throws IOException {
        DamagedBundle b = dense();
        b.replace(MODEL, new byte[0]);
        b.assertRefused(MODEL, "not a SentencePiece model: empty file");
    }

    @Test
    void truncatedModelIsRefused() throws IOException {
        DamagedBundle b = dense();
        byte[] model = b.read(MODEL);
        b.replace(MODEL, Arrays.copyOf(model, model.length / 2));
        BundleException e = b.refused();
        assertTrue(e.getMessage().contains(MODEL + ": not a SentencePiece model: ") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void garbageModelIsRefused() throws IOException {
        DamagedBundle b = dense();
        byte[] garbage = new byte[4000];
        new Random(1).nextBytes(garbage);
        b.replace(MODEL, garbage);
        BundleException e = b.refused();
        assertTrue(e.getMessage().contains(MODEL + ": not a SentencePiece model: "), e.getMessage());
    }
}
