package io.kaleidoscope.model;

/**
 * One incremental decoder step for every row of a {@link DecoderState}: reads the state's tokens
 * and step index and its conv states, writes the log-probabilities and the new conv states.
 * Two implementations: {@link DenseDecoder} (one ONNX graph) and {@link KMatrixDecoder} (ONNX
 * pieces around the Java K-matrix kernel). Not thread-safe: used by the engine thread.
 */
public interface Decoder extends AutoCloseable {

    /** A state for a search over the encoded rows (already repeated for the beam). */
    DecoderState newState(EncodedBatch encoded);

    /** Runs one step. Allocates nothing in steady state. */
    void step(DecoderState state);

    @Override
    void close();
}
