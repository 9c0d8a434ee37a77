package dev.ember.device.rbd;

import dev.ember.ceph.RbdImage;
import dev.ember.device.VolumeDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link VolumeDevice} over an open {@link RbdImage}, which it owns: {@link #close()} closes the
 * image. Positional I/O; safe for several threads at once. {@link #zero} deallocates through
 * librbd's exact discard ({@code rbd_write_zeroes}). Blocking: run off the event loop.
 */
public final class RbdVolumeDevice implements VolumeDevice {
    private final RbdImage image;

    public RbdVolumeDevice(RbdImage image) {
        this.image = image;
    }

    /** The underlying image (for snapshot/diff work on the same handle). */
    public RbdImage image() {
        return image;
    }

    @Override
    public long size() throws IOException {
        return image.size();
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        long size = image.size();
        if (offset >= size) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), size - offset);
        ByteBuffer slice = dst.duplicate();
        slice.limit(slice.position() + want);
        int n = image.read(offset, slice);
        if (n <= 0) {
            return -1; // shrunk concurrently
        }
        dst.position(dst.position() + n);
        return n;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        long size = image.size();
        if (offset + src.remaining() > size) {
            throw new IOException("write of " + src.remaining() + " bytes at " + offset + " goes past the end of "
                    + image.spec() + " (" + size + " bytes)");
        }
        image.write(offset, src);
    }

    @Override
    public void zero(long offset, long length) throws IOException {
        if (length <= 0) {
            return;
        }
        long size = image.size();
        if (offset < 0 || offset + length > size) {
            throw new IOException("zero of [" + offset + ", " + (offset + length) + ") is outside "
                    + image.spec() + " (" + size + " bytes)");
        }
        image.writeZeroes(offset, length);
    }

    @Override
    public void flush() throws IOException {
        image.flush();
    }

    @Override
    public void close() {
        image.close();
    }

    @Override
    public String toString() {
        return "RbdVolumeDevice[" + image.spec() + "]";
    }
}
