package dev.ember.volume;

import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A volume stored as a (sparse) file. All I/O is positional ({@code pread}/{@code pwrite}), so any
 * number of threads may read and write different extents at once.
 *
 * <p>A {@link FileChannel} closes itself when a thread blocked in it is interrupted, which would
 * break every other thread sharing the device. The device therefore reopens the file on the next
 * call after such an involuntary close; only {@link #close()} closes it for good.
 */
public final class FileVolumeDevice implements VolumeDevice {

    /** Bounded buffer used by {@link #zero}: big enough for throughput, small enough to never matter. */
    private static final int ZERO_SCAN_BYTES = 1 << 20;
    private static final byte[] ZEROS = new byte[ZERO_SCAN_BYTES];

    private final Path path;
    private final boolean writable;
    private volatile FileChannel channel;
    private volatile boolean closed;

    private FileVolumeDevice(Path path, boolean writable, FileChannel channel) {
        this.path = path;
        this.writable = writable;
        this.channel = channel;
    }

    /** Opens an existing file; {@code writable} false opens it read-only (writes then fail). */
    public static FileVolumeDevice open(Path path, boolean writable) throws IOException {
        return new FileVolumeDevice(path, writable, openChannel(path, writable));
    }

    private static FileChannel openChannel(Path path, boolean writable) throws IOException {
        return writable
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ);
    }

    public Path path() {
        return path;
    }

    @Override
    public long size() throws IOException {
        return channel().size();
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        FileChannel ch = channel();
        int total = 0;
        // A regular file only returns short reads at EOF, but loop anyway so the contract
        // ("never 0 before the end") holds for block devices and FUSE files too.
        while (dst.hasRemaining()) {
            int n = ch.read(dst, offset + total);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        requireWritable();
        FileChannel ch = channel();
        long pos = offset;
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }

    /**
     * Zeroes the range without allocating space that is already a hole: the range is read in
     * bounded pieces and zeros are written only over pieces holding data. Java has no portable
     * hole-punching call, but on a freshly created sparse target (the common restore case) this
     * writes nothing at all, so the file stays sparse. Beyond the end of the file the file is
     * extended, which leaves a hole.
     */
    @Override
    public void zero(long offset, long length) throws IOException {
        requireWritable();
        if (length <= 0) {
            return;
        }
        long end = offset + length;
        long size = size();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ZERO_SCAN_BYTES, length));
        long pos = offset;
        while (pos < Math.min(end, size)) {
            buf.clear().limit((int) Math.min(buf.capacity(), Math.min(end, size) - pos));
            int n = read(pos, buf);
            if (n <= 0) {
                break;
            }
            if (!isAllZero(buf.array(), n)) {
                Arrays.fill(buf.array(), 0, n, (byte) 0);
                write(pos, ByteBuffer.wrap(buf.array(), 0, n));
            }
            pos += n;
        }
        if (end > size()) {
            // Writing the last byte extends the file; everything before it is a hole.
            write(end - 1, ByteBuffer.wrap(new byte[1]));
        }
    }

    private static boolean isAllZero(byte[] b, int len) {
        return Arrays.mismatch(b, 0, len, ZEROS, 0, len) < 0;
    }

    @Override
    public void flush() throws IOException {
        channel().force(true);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    private void requireWritable() throws IOException {
        if (!writable) {
            throw new IOException("volume file " + path + " is opened read-only");
        }
    }

    private FileChannel channel() throws IOException {
        FileChannel ch = channel;
        if (ch.isOpen()) {
            return ch;
        }
        return reopen();
    }

    private synchronized FileChannel reopen() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (!channel.isOpen()) {
            channel = openChannel(path, writable);
        }
        return channel;
    }
}
