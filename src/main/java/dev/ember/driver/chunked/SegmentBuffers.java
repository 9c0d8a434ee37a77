package dev.ember.driver.chunked;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Recycles the segment-sized arrays of one backup. Without it every segment would allocate (and
 * the JVM zero) a fresh MiB-sized array, i.e. touch every byte of the volume once more for
 * nothing: on a mostly-empty volume that is a large part of the work. At most the window's worth
 * of arrays exists, so the pool is bounded by construction; a full pool simply drops returns.
 */
final class SegmentBuffers {

    private final int size;
    private final ArrayBlockingQueue<byte[]> free;

    SegmentBuffers(int size, int capacity) {
        this.size = size;
        this.free = new ArrayBlockingQueue<>(capacity);
    }

    /** A buffer of the segment size; contents are unspecified. Thread-safe. */
    byte[] take() {
        byte[] b = free.poll();
        return b != null ? b : new byte[size];
    }

    /** Hands a buffer back once nothing refers to it any more. */
    void release(byte[] b) {
        if (b.length == size) {
            free.offer(b);
        }
    }
}
