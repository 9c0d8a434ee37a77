package dev.ember.device;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A block device the drivers read from (backup) or write to (restore): a file-backed volume in
 * the embedded profile, an RBD image in the Ceph profile. Positional I/O only, so several workers
 * can read different extents of one device at once without sharing a file pointer.
 */
public interface VolumeDevice extends AutoCloseable {

    /** Size of the device in bytes. */
    long size() throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code offset}. Returns the number of bytes
     * read, or -1 at end of device. Never returns 0 for a non-empty buffer before the end.
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /** Writes all of {@code src} at {@code offset}. */
    void write(long offset, ByteBuffer src) throws IOException;

    /**
     * Makes {@code [offset, offset+length)} read back as zeros, releasing space where the device
     * can (hole punching, RBD discard). The default writes zeros.
     */
    default void zero(long offset, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
        long done = 0;
        while (done < length) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), length - done));
            write(offset + done, zeros);
            done += zeros.limit();
        }
    }

    /** Forces written data to stable storage. */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
