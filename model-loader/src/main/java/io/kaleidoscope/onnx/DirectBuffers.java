package io.kaleidoscope.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Direct, native-order buffers: the only kind ONNX Runtime Java wraps without copying. Every
 * tensor the engine hands to or receives from ONNX Runtime lives in one of these, allocated once
 * per batch shape, never per step.
 */
public final class DirectBuffers {
    private DirectBuffers() {}

    public static FloatBuffer floats(long count) {
        return ByteBuffer.allocateDirect(Math.toIntExact(count * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public static LongBuffer longs(long count) {
        return ByteBuffer.allocateDirect(Math.toIntExact(count * Long.BYTES)).order(ByteOrder.nativeOrder()).asLongBuffer();
    }
}
