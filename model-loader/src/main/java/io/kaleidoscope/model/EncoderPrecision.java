package io.kaleidoscope.model;

/**
 * How the encoder multiplies by its weights (docs/engine.md, "Encoder in int8").
 *
 * <ul>
 *   <li>{@link #FLOAT32}: {@code encoder.onnx}, the model as trained (the default; the parity
 *       tests pin it).</li>
 *   <li>{@link #INT8}: {@code encoder_int8.onnx}: its linear layers in ONNX Runtime's
 *       DynamicQuantizeMatMul over int8 weights derived at load (bundle format §12). Not exact:
 *       it changes the encoder's output (relative RMS 0.6% on the tiny fixtures, 2% with random
 *       base-size weights) and so the translations a little.</li>
 * </ul>
 */
public enum EncoderPrecision {
    FLOAT32,
    INT8;

    /** The bundle graph that runs the encoder at this precision. */
    public String graph() {
        return this == FLOAT32 ? "encoder" : "encoder_int8";
    }
}
