package io.kaleidoscope.search;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Lets whoever runs a translation stop it between decoder steps: the server's engine thread runs
 * a batch {@link #stoppable within} a check that turns true once every caller of the batch has
 * given up (deadline passed) or the engine is closing, and the searches call {@link #checkpoint()}
 * before each step. A long batch nobody waits for any more then ends within one step instead of
 * holding the engine for minutes, and a closing engine frees its model only after its search has
 * stopped. Outside such a scope the checkpoint costs one unbound-value test.
 */
public final class Cancellation {
    private static final ScopedValue<BooleanSupplier> STOP = ScopedValue.newInstance();

    private Cancellation() {}

    /** Runs {@code work}; its searches stop with a {@link CancellationException} once {@code stop} is true. */
    public static <T> T stoppable(BooleanSupplier stop, java.util.function.Supplier<T> work) {
        return ScopedValue.where(STOP, stop).call(work::get);
    }

    /** @throws CancellationException when the running translation's stop check is true */
    public static void checkpoint() {
        if (STOP.isBound() && STOP.get().getAsBoolean()) {
            throw new CancellationException("translation stopped between decoder steps (its callers gave up, or the engine is closing)");
        }
    }
}
