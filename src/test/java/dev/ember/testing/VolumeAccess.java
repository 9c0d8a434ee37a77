package dev.ember.testing;

import dev.ember.ceph.CephCluster;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test access to a volume's bytes, whatever holds them: a file of the embedded profile or an
 * RBD image of the Ceph profile.
 */
public interface VolumeAccess extends AutoCloseable {

    void write(String volumeId, long offset, byte[] data) throws Exception;

    /** Reads {@code buf.remaining()} bytes at {@code offset}. */
    void read(String volumeId, long offset, ByteBuffer buf) throws Exception;

    long size(String volumeId) throws Exception;

    /** The volume's content hash, read through this access. */
    default String sha256(String volumeId) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        long size = size(volumeId);
        ByteBuffer buf = ByteBuffer.allocate(4 << 20);
        for (long off = 0; off < size; off += buf.capacity()) {
            buf.clear().limit((int) Math.min(buf.capacity(), size - off));
            read(volumeId, off, buf);
            md.update(buf.flip());
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    @Override
    default void close() throws Exception {
    }

    /** Volumes as files {@code <dir>/volume-<id>}. */
    static VolumeAccess files(Path dir) {
        return new VolumeAccess() {
            @Override
            public void write(String volumeId, long offset, byte[] data) throws Exception {
                try (RandomAccessFile f = new RandomAccessFile(dir.resolve("volume-" + volumeId).toFile(), "rw")) {
                    f.seek(offset);
                    f.write(data);
                }
            }

            @Override
            public void read(String volumeId, long offset, ByteBuffer buf) throws Exception {
                try (FileChannel ch = FileChannel.open(dir.resolve("volume-" + volumeId), StandardOpenOption.READ)) {
                    long pos = offset;
                    while (buf.hasRemaining()) {
                        int n = ch.read(buf, pos);
                        if (n < 0) {
                            throw new IllegalStateException("short read at " + pos);
                        }
                        pos += n;
                    }
                }
            }

            @Override
            public long size(String volumeId) throws Exception {
                return java.nio.file.Files.size(dir.resolve("volume-" + volumeId));
            }
        };
    }

    /** Volumes as RBD images {@code <pool>/volume-<id>} of the local test cluster. */
    static VolumeAccess rbd(Path conf, String user, String poolName) throws Exception {
        CephCluster cluster = CephCluster.connect(conf, user);
        Pool pool = cluster.openPool(poolName);
        return new VolumeAccess() {
            @Override
            public void write(String volumeId, long offset, byte[] data) throws Exception {
                try (RbdImage img = pool.openImage("volume-" + volumeId)) {
                    img.write(offset, data);
                    img.flush();
                }
            }

            @Override
            public void read(String volumeId, long offset, ByteBuffer buf) throws Exception {
                try (RbdImage img = pool.openImage("volume-" + volumeId)) {
                    long pos = offset;
                    while (buf.hasRemaining()) {
                        int n = img.read(pos, buf);
                        if (n <= 0) {
                            throw new IllegalStateException("short read at " + pos);
                        }
                        pos += n;
                    }
                }
            }

            @Override
            public long size(String volumeId) throws Exception {
                try (RbdImage img = pool.openImage("volume-" + volumeId)) {
                    return img.size();
                }
            }

            @Override
            public void close() {
                pool.close();
                cluster.close();
            }
        };
    }
}
