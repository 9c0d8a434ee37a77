package dev.ember.device.rbd;

import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A volume device that is an RBD image, carrying what the RBD driver needs beyond block I/O: the
 * pool and image name (to snapshot the source, diff between snapshots, restore differentially)
 * and what kind of source it is. The Ceph volume backend makes these; the RBD backup driver
 * recognises them, any other driver just reads and writes blocks.
 */
public final class RbdDevice implements VolumeDevice {

    private final Pool pool;
    private final String imageName;
    private final String volumeId;
    private final SourceKind kind;
    private final RbdVolumeDevice device;
    private final AutoCloseable cleanup;

    /**
     * @param volumeId the cinder volume this device belongs to (for a temporary clone: the original)
     * @param cleanup  releases temporary resources after the image is closed (a clone's removal); may be null
     */
    public RbdDevice(Pool pool, String imageName, String volumeId, SourceKind kind, RbdImage image, AutoCloseable cleanup) {
        this.pool = pool;
        this.imageName = imageName;
        this.volumeId = volumeId;
        this.kind = kind;
        this.device = new RbdVolumeDevice(image);
        this.cleanup = cleanup;
    }

    public Pool pool() {
        return pool;
    }

    public String imageName() {
        return imageName;
    }

    public String volumeId() {
        return volumeId;
    }

    public SourceKind kind() {
        return kind;
    }

    public RbdImage image() {
        return device.image();
    }

    @Override
    public long size() throws IOException {
        return device.size();
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return device.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        device.write(offset, src);
    }

    @Override
    public void zero(long offset, long length) throws IOException {
        device.zero(offset, length);
    }

    @Override
    public void flush() throws IOException {
        device.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            device.close();
        } finally {
            if (cleanup != null) {
                try {
                    cleanup.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return pool.name() + "/" + imageName + " (" + kind + ")";
    }
}
