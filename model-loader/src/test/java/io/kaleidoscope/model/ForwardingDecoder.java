package io.kaleidoscope.model;

/** A decoder that hands every call to another: tests extend it to record the calls they check. */
public class ForwardingDecoder implements Decoder {
    private final Decoder inner;

    public ForwardingDecoder(Decoder inner) {
        this.inner = inner;
    }

    @Override
    public DecoderState newState(EncodedBatch encoded, int[] vocabulary) {
        return inner.newState(encoded, vocabulary);
    }

    @Override
    public void step(DecoderState state) {
        inner.step(state);
    }

    @Override
    public DecoderState compact(DecoderState state, int[] keep) {
        return inner.compact(state, keep);
    }

    @Override
    public DecoderState expand(DecoderState state, int beam) {
        return inner.expand(state, beam);
    }

    @Override
    public void close() {
        inner.close();
    }
}
