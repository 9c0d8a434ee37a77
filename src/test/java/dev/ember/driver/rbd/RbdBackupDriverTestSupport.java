package dev.ember.driver.rbd;

import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Content checks shared by the RBD driver tests. */
final class RbdBackupDriverTestSupport {

    private RbdBackupDriverTestSupport() {
    }

    /** sha256 of {@code [0, length)} of the image head, in the form of {@link RbdFixture#shaOf} for that size. */
    static String prefixSha(Pool pool, String image, long length) throws Exception {
        try (RbdImage img = pool.openImageReadOnly(image, null)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
            for (long off = 0; off < length; off += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), length - off));
                img.read(off, buf);
                buf.flip();
                md.update(buf);
            }
            md.update(Long.toString(length).getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest());
        }
    }

    static boolean readsZeros(RbdImage img, long offset, long length) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (long off = offset; off < offset + length; off += buf.capacity()) {
            buf.clear().limit((int) Math.min(buf.capacity(), offset + length - off));
            img.read(off, buf);
            buf.flip();
            if (!BlockPipeline.isAllZero(buf)) {
                return false;
            }
        }
        return true;
    }
}
