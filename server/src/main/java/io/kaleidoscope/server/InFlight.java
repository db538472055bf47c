package io.kaleidoscope.server;

import java.time.Duration;

/**
 * Counts requests in flight so a stop can wait for them: after {@link #drain} starts, new
 * requests are refused (the filter answers 503) and the caller waits until the running ones
 * finished or the grace period ended.
 */
final class InFlight {
    private int running;
    private boolean draining;

    /** Whether a request may start (false once draining). */
    synchronized boolean enter() {
        if (draining) {
            return false;
        }
        running++;
        return true;
    }

    /** Requests in flight now. */
    synchronized int running() {
        return running;
    }

    synchronized void exit() {
        running--;
        notifyAll();
    }

    /** Refuses new requests and waits up to {@code grace} for the running ones. */
    synchronized void drain(Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
