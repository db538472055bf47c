package io.kaleidoscope.bundle;

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
 * {@code SentencePiece}), read here rather than by the native library, so that an empty,
 * truncated or garbage file is refused with a message instead of a native exception.
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
     * The type of every piece of a serialized {@code ModelProto}, in id order, walking its wire
     * format: every field well-formed and inside the buffer, each piece a well-formed message.
     *
     * @throws IllegalArgumentException naming the byte offset where the structure breaks
     */
    static int[] pieceTypes(byte[] bytes) {
        java.util.List<Integer> types = new java.util.ArrayList<>();
        Wire top = new Wire(bytes, 0, bytes.length);
        while (top.more()) {
            int field = top.field();
            if (field == PIECES) {
                if (top.wireType() != Wire.LENGTH_DELIMITED) {
                    throw new IllegalArgumentException("piece at byte " + top.at + " is not a message");
                }
                int[] range = top.lengthDelimited();
                Wire piece = new Wire(bytes, range[0], range[1]);
                int type = NORMAL;
                while (piece.more()) {
                    if (piece.field() == PIECE_TYPE && piece.wireType() == Wire.VARINT) {
                        type = (int) piece.varint();
                    } else {
                        piece.skip();
                    }
                }
                types.add(type);
            } else {
                top.skip();
            }
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException(bytes.length == 0 ? "empty file" : "no pieces");
        }
        return types.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A cursor over protobuf wire format in {@code bytes[at, end)}. */
    private static final class Wire {
        static final int VARINT = 0;
        static final int FIXED64 = 1;
        static final int LENGTH_DELIMITED = 2;
        static final int FIXED32 = 5;

        private final byte[] bytes;
        private final int end;
        private int at;
        private int wireType;

        Wire(byte[] bytes, int at, int end) {
            this.bytes = bytes;
            this.at = at;
            this.end = end;
        }

        boolean more() {
            return at < end;
        }

        /** Reads a key; returns its field number (the wire type is kept for {@link #skip}). */
        int field() {
            int keyAt = at;
            long key = varint();
            wireType = (int) (key & 7);
            long field = key >>> 3;
            if (field < 1 || field > 536_870_911 || !(wireType == VARINT || wireType == FIXED64
                    || wireType == LENGTH_DELIMITED || wireType == FIXED32)) {
                throw new IllegalArgumentException("malformed field key at byte " + keyAt);
            }
            return (int) field;
        }

        int wireType() {
            return wireType;
        }

        void skip() {
            switch (wireType) {
                case VARINT -> varint();
                case FIXED64 -> advance(8);
                case FIXED32 -> advance(4);
                default -> lengthDelimited();
            }
        }

        /** Reads a length and skips the bytes it covers; returns their range [from, to). */
        int[] lengthDelimited() {
            int lengthAt = at;
            long length = varint();
            if (length < 0 || length > end - at) {
                throw new IllegalArgumentException("field at byte " + lengthAt + " runs past the end (truncated?)");
            }
            int from = at;
            at += (int) length;
            return new int[] {from, at};
        }

        private void advance(int n) {
            if (n > end - at) {
                throw new IllegalArgumentException("field at byte " + at + " runs past the end (truncated?)");
            }
            at += n;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= end) {
                    throw new IllegalArgumentException("varint at byte " + at + " runs past the end (truncated?)");
                }
                byte b = bytes[at++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at byte " + at);
        }
    }
}
