package dev.ember.ceph;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * One asynchronous librbd read or write ({@code rbd_completion_t}). {@link #await()} blocks until it
 * is done, returns the byte count, advances the buffer's position and releases the completion;
 * {@link #close()} waits and releases without throwing. Keeps the buffer reachable while in flight.
 */
public final class AioCompletion implements AutoCloseable {
    private final RbdImage image;
    private final String call;
    private final ByteBuffer buffer;
    private final long offset;
    private final int length;
    private Pointer completion;
    private long result;

    AioCompletion(RbdImage image, String call, Pointer completion, ByteBuffer buffer, long offset, int length) {
        this.image = image;
        this.call = call;
        this.completion = completion;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /** True once librbd finished the operation (or it was awaited). */
    public synchronized boolean isDone() {
        return completion == null || LibRbd.get().rbd_aio_is_complete(completion) != 0;
    }

    /** Waits; returns the bytes transferred; throws the operation's error. Repeatable. */
    public synchronized long await() throws CephException {
        finish();
        if (result < 0) {
            throw new CephException(call, image.spec(), (int) result,
                    Errno.describe((int) result) + " at offset " + offset + " length " + length);
        }
        return result;
    }

    private void finish() {
        if (completion == null) {
            return;
        }
        LibRbd lib = LibRbd.get();
        lib.rbd_aio_wait_for_complete(completion);
        result = lib.rbd_aio_get_return_value(completion);
        lib.rbd_aio_release(completion);
        completion = null;
        if (result > 0) {
            buffer.position(buffer.position() + (int) Math.min(result, length));
        } else if (result == 0 && call.contains("write")) {
            buffer.position(buffer.position() + length); // librbd reports 0 for a complete write
        }
        image.forget(this);
    }

    /** Waits for the operation and releases the completion; errors are dropped (use {@link #await()}). */
    @Override
    public synchronized void close() {
        finish();
    }
}
