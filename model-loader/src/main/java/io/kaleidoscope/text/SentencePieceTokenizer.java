package io.kaleidoscope.text;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The bundle's SentencePiece model, run by the SentencePiece library itself (through DJL's JNI
 * binding), so ids are those the model was trained with — no re-implementation.
 *
 * <p>Source ids are the pieces of the text followed by eos (docs/bundle-format.md §4). Thread-safe
 * for encoding and decoding (SentencePiece processors are read-only after loading).
 */
public final class SentencePieceTokenizer implements AutoCloseable {
    private final SpTokenizer tokenizer;
    private final SpProcessor processor;
    private final int eos;

    public SentencePieceTokenizer(Path model, int eos) {
        try {
            this.tokenizer = new SpTokenizer(model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load SentencePiece model " + model, e);
        }
        this.processor = tokenizer.getProcessor();
        this.eos = eos;
    }

    /** The piece ids of the text, without eos. */
    public int[] pieces(String text) {
        return processor.encode(text);
    }

    /** The source ids the encoder takes: the pieces, then eos. */
    public int[] sourceIds(String text) {
        int[] pieces = pieces(text);
        int[] ids = java.util.Arrays.copyOf(pieces, pieces.length + 1);
        ids[pieces.length] = eos;
        return ids;
    }

    /** Text of output ids (without bos/eos). */
    public String decode(int[] ids) {
        return processor.decode(ids);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
