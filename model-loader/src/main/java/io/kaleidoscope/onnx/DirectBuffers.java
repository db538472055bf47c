package io.kaleidoscope.onnx;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.function.Supplier;

/**
 * Direct, native-order buffers: the only kind ONNX Runtime Java wraps without copying. Every
 * tensor the engine hands to or receives from ONNX Runtime lives in one of these, allocated once
 * per batch shape, never per step.
 *
 * <p>A search allocates megabytes of them (log-probabilities, encoder keys and values, decoder
 * state). Left to the garbage collector, that memory comes back only when a collection happens to
 * run, and a busy server with a small heap grew by gigabytes of direct memory that way. So the
 * engine runs each search {@link #scoped in an arena}: everything allocated inside comes from it
 * and is freed, deterministically, when the search returns. Outside a scope (tests, tools) the
 * buffers are ordinary GC-managed direct buffers.
 */
public final class DirectBuffers {
    /** The arena of the search running on this thread, if any. */
    private static final ScopedValue<Arena> SEARCH = ScopedValue.newInstance();
    /** Vector-friendly alignment for what the kernel reads. */
    private static final long ALIGNMENT = 64;

    private DirectBuffers() {}

    /**
     * Runs {@code work} with every buffer it allocates taken from a confined arena that is closed
     * when it returns: nothing allocated inside may be used afterwards (or by another thread).
     */
    public static <T> T scoped(Supplier<T> work) {
        try (Arena arena = Arena.ofConfined()) {
            return ScopedValue.where(SEARCH, arena).call(work::get);
        }
    }

    public static FloatBuffer floats(long count) {
        return bytes(count * Float.BYTES).asFloatBuffer();
    }

    public static LongBuffer longs(long count) {
        return bytes(count * Long.BYTES).asLongBuffer();
    }

    private static ByteBuffer bytes(long size) {
        ByteBuffer buffer = SEARCH.isBound()
                ? SEARCH.get().allocate(Math.max(size, 1), ALIGNMENT).asByteBuffer()
                : ByteBuffer.allocateDirect(Math.toIntExact(size));
        return buffer.order(ByteOrder.nativeOrder());
    }
}
