package dev.ember.driver.chunked;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes an object to a hidden temporary file; commit = fsync the file, rename it atomically over
 * the object's name, fsync the directory (so the rename itself survives a crash). Closing without
 * a commit deletes the temporary file.
 */
final class AtomicFileWriter implements ObjectWriter {

    private final FileChannel ch;
    private final Path tmp;
    private final Path target;
    private long written;
    private boolean committed;

    AtomicFileWriter(FileChannel ch, Path tmp, Path target) {
        this.ch = ch;
        this.tmp = tmp;
        this.target = target;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        written += len;
    }

    @Override
    public void overwrite(long position, byte[] data) throws IOException {
        if (position < 0 || position + data.length > Math.min(written, OVERWRITABLE_HEAD)) {
            throw new IllegalArgumentException("overwrite outside the written head of the object");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
            ch.write(buf, position + buf.position()); // positional: the append position stays
        }
    }

    @Override
    public long bytesWritten() {
        return written;
    }

    @Override
    public void commit() throws IOException {
        if (committed) {
            throw new IllegalStateException("object " + target.getFileName() + " already committed");
        }
        ch.force(true);
        ch.close();
        // On Linux ATOMIC_MOVE is rename(2): it replaces an existing object in one step.
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        try {
            ch.close();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
