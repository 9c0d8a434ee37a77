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

    /** Bytes appended so far. */
    long bytesWritten();

    /** Makes the object durable and visible under its name. Call at most once. */
    void commit() throws IOException;

    /** Discards the object unless it was committed. Never throws for an uncommitted writer. */
    @Override
    void close() throws IOException;
}
