package io.kaleidoscope.bundle;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The SentencePiece model against the architecture: its piece count must be
 * {@code architecture.vocab_size} (§2: "V = SentencePiece pieces"), which is also the embedding's
 * row count ({@link ShapeCheck}). With fewer pieces the model's ids would outrun the tokenizer
 * and detokenising would fail mid-translation; with more, the tokenizer would emit ids the
 * embedding lacks. And the manifest's special ids must be the model's own: {@code unk} its
 * unknown piece, {@code pad}, {@code bos} and {@code eos} control pieces. An eos that names an
 * ordinary piece is in range and distinct, and would still end every sentence at that word.
 *
 * <p>The count comes from the file's protobuf structure ({@code ModelProto}: field 1, repeated
 * {@code SentencePiece}), read with protobuf-java rather than by the native library: an empty,
 * truncated or garbage file is refused with a message instead of a native exception, and the
 * native library aborts the whole JVM when asked for a piece beyond its count.
 */
final class TokenizerCheck {
    /** Largest model read; a 32 000-piece model is under 1 MB. */
    static final long MAX_BYTES = 64L << 20;

    private static final int PIECES = 1;
    /** SentencePiece.type (field 3): NORMAL when absent; UNKNOWN and CONTROL are the special pieces. */
    private static final int PIECE_TYPE = 3;
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;

    private TokenizerCheck() {}

    static void check(Path bundle, Manifest manifest) {
        String file = manifest.tokenizer();
        byte[] bytes;
        try {
            long size = Files.size(bundle.resolve(file));
            if (size > MAX_BYTES) {
                throw new BundleException(bundle, file, "%d bytes, more than the %d a SentencePiece model may have".formatted(size, MAX_BYTES));
            }
            bytes = Files.readAllBytes(bundle.resolve(file));
        } catch (IOException e) {
            throw new BundleException(bundle, file, "cannot read: " + e.getMessage(), e);
        }
        int[] types;
        try {
            types = pieceTypes(bytes);
        } catch (IllegalArgumentException e) {
            throw new BundleException(bundle, file, "not a SentencePiece model: " + e.getMessage(), e);
        }
        int vocab = manifest.architecture().vocabSize();
        if (types.length != vocab) {
            throw new BundleException(bundle, file, "%d pieces, architecture.vocab_size is %d".formatted(types.length, vocab));
        }
        Manifest.SpecialTokens t = manifest.specialTokens();
        special(bundle, file, "unk", t.unk(), types, UNKNOWN);
        special(bundle, file, "pad", t.pad(), types, CONTROL);
        special(bundle, file, "bos", t.bos(), types, CONTROL);
        special(bundle, file, "eos", t.eos(), types, CONTROL);
    }

    private static void special(Path bundle, String file, String name, int id, int[] types, int expected) {
        if (types[id] != expected) {
            throw new BundleException(bundle, file, "piece %d is %s, but special_tokens.%s names it (expected %s)"
                    .formatted(id, typeName(types[id]), name, typeName(expected)));
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case NORMAL -> "a normal piece";
            case UNKNOWN -> "the unknown piece";
            case CONTROL -> "a control piece";
            case 4 -> "a user-defined piece";
            case 5 -> "an unused piece";
            case 6 -> "a byte piece";
            default -> "a piece of type " + type;
        };
    }

    /**
     * The type of every piece of a serialized {@code ModelProto}, in id order: its field 1
     * ({@code SentencePiece}, each a message whose field 3 is the type), read with protobuf's own
     * wire-format reader; every field must be well-formed and inside the buffer.
     *
     * @throws IllegalArgumentException saying where the structure breaks
     */
    static int[] pieceTypes(byte[] bytes) {
        java.util.List<Integer> types = new java.util.ArrayList<>();
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) != PIECES) {
                    in.skipField(tag);
                    continue;
                }
                if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    throw new IllegalArgumentException("piece " + types.size() + " is not a message");
                }
                int outer = in.pushLimit(in.readRawVarint32());
                int type = NORMAL;
                for (int field = in.readTag(); field != 0; field = in.readTag()) {
                    if (WireFormat.getTagFieldNumber(field) == PIECE_TYPE && WireFormat.getTagWireType(field) == WireFormat.WIRETYPE_VARINT) {
                        type = in.readEnum();
                    } else {
                        in.skipField(field);
                    }
                }
                in.popLimit(outer);
                types.add(type);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);   // not from a byte array
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException(bytes.length == 0 ? "empty file" : "no pieces");
        }
        return types.stream().mapToInt(Integer::intValue).toArray();
    }
}
