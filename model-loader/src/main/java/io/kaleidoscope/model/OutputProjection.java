package io.kaleidoscope.model;

import jdk.incubator.vector.FloatVector;

/**
 * How a full-vocabulary search computes its output projection and log-softmax (docs/engine.md,
 * "Output projection in float16"). Both ways are exact up to the order of float32 sums; the
 * same choice applies to both models, so their comparison stays fair.
 */
public enum OutputProjection {
    /**
     * Float16 in Java for searches of at most {@link #FLOAT16_MAX_ROWS} rows, else ONNX Runtime;
     * with the int8 decoder ({@link EnginePaths#decoder}) always ONNX Runtime's int8 graph.
     */
    AUTO,
    /** Always ONNX Runtime (float32 weights): the K-matrix model's output graph, the dense model's step graph. */
    ONNX,
    /** Always the Java kernel over float16 weights (the bundle's embedding must be float16-exact). */
    FLOAT16;

    /**
     * Up to this many rows (sentences × beam) the float16 kernel is the faster: it reads half the
     * bytes, while ONNX Runtime's blocked matrix product wins once enough rows share each weight
     * (measured on the base model's 512 × 8,000 projection, in JMH and end to end: docs/engine.md).
     * 16 with 512-bit vectors (AVX-512); 8 with narrower ones, where the kernel's widening and
     * multiply-adds take twice the instructions per weight and ONNX Runtime overtakes it sooner
     * (on an AVX2 core: even at 8 rows, 1.26–1.39× faster at 16).
     */
    public static final int FLOAT16_MAX_ROWS = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? 16 : 8;

    /** Whether a search of {@code rows} rows takes the float16 kernel, given the bundle allows it. */
    boolean float16For(int rows) {
        return this == FLOAT16 || (this == AUTO && rows <= FLOAT16_MAX_ROWS);
    }
}
