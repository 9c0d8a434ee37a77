package dev.ember.driver.chunked;

import java.io.Closeable;
import java.io.IOException;

/**
 * An object being written. Bytes are appended in order; {@link #commit()} makes the object durable
 * and visible in one step, so readers never see half an object. {@link #close()} without a commit
 * throws the data away, which is how a failed backup leaves nothing behind.
 */
public interface ObjectWriter extends Closeable {

    void write(byte[] b, int off, int len) throws IOException;

    default void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    /**
     * Replaces already written bytes at {@code position}, before the commit. Only the first
     * {@link #OVERWRITABLE_HEAD} bytes of an object may be replaced, so a store that cannot seek
     * can honour this by holding back the start of an object until the commit. (A zstd object's
     * header carries its length, which is known only at the end.)
     */
    void overwrite(long position, byte[] data) throws IOException;

    /** How far into an object {@link #overwrite} may reach. */
    int OVERWRITABLE_HEAD = 4096;

    /** Bytes appended so far. */
    long bytesWritten();

    /** Makes the object durable and visible under its name. Call at most once. */
    void commit() throws IOException;

    /** Discards the object unless it was committed. Never throws for an uncommitted writer. */
    @Override
    void close() throws IOException;
}
