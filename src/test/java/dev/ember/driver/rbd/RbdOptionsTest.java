package dev.ember.driver.rbd;

import dev.ember.ceph.Extent;
import dev.ember.ceph.ImageFeatures;
import dev.ember.config.Config;
import dev.ember.device.VolumeDevice;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options, extent merging and the copy pipeline without a cluster. */
class RbdOptionsTest {

    @Test
    void cinderDefaults() {
        RbdOptions o = RbdOptions.fromConfig(Config.empty());
        assertEquals(Path.of("/etc/ceph/ceph.conf"), o.conf());
        assertEquals("cinder", o.user());
        assertEquals("backups", o.pool());
        assertEquals(134_217_728L, o.chunkSize());
        assertEquals(0, o.stripeUnit());
        assertEquals(0, o.stripeCount());
        assertFalse(o.imageJournals());
        assertTrue(o.discardExcessBytes());
        assertEquals(BaseLayout.SINGLE_BASE, o.layout());
        long f = o.imageOptions().features();
        assertTrue(ImageFeatures.has(f, ImageFeatures.LAYERING | ImageFeatures.FAST_DIFF));
        assertFalse(ImageFeatures.has(f, ImageFeatures.JOURNALING));
        assertFalse(ImageFeatures.has(f, ImageFeatures.STRIPINGV2));
    }

    @Test
    void cinderConfFile() {
        RbdOptions o = RbdOptions.fromConfig(Config.parse("""
                [DEFAULT]
                backup_driver = cinder.backup.drivers.ceph.CephBackupDriver
                backup_ceph_conf = /etc/ceph/backup.conf
                backup_ceph_user = backup
                backup_ceph_pool = bk
                backup_ceph_chunk_size = 67108864
                backup_ceph_stripe_unit = 65536
                backup_ceph_stripe_count = 4
                backup_ceph_image_journals = True
                restore_discard_excess_bytes = False
                ember_ceph_backup_layout = per_chain
                """));
        assertEquals("backup", o.user());
        assertEquals("bk", o.pool());
        assertEquals(67_108_864L, o.chunkSize());
        assertFalse(o.discardExcessBytes());
        assertEquals(BaseLayout.PER_CHAIN, o.layout());
        assertEquals(65536L, o.imageOptions().stripeUnit());
        assertEquals(4L, o.imageOptions().stripeCount());
        assertTrue(ImageFeatures.has(o.imageOptions().features(),
                ImageFeatures.STRIPINGV2 | ImageFeatures.JOURNALING | ImageFeatures.EXCLUSIVE_LOCK));
        assertThrows(IllegalArgumentException.class,
                () -> RbdOptions.fromConfig(Config.parse("ember_ceph_backup_layout = sideways\n")));
        assertThrows(IllegalArgumentException.class,
                () -> RbdOptions.fromConfig(Config.parse("backup_ceph_user =\n")));
    }

    @Test
    void driverIdentity() {
        RbdBackupDriver d = RbdBackupDriver.create(Config.empty());
        assertEquals("cinder.backup.drivers.ceph.CephBackupDriver", d.serviceName());
        assertFalse(d.supportsForceDelete());
    }

    @Test
    void touchingExtentsOfOneKindMerge() {
        assertEquals(List.of(new Extent(0, 8192, true), new Extent(8192, 4096, false), new Extent(20000, 10, true)),
                Diffs.merged(List.of(new Extent(0, 4096, true), new Extent(4096, 4096, true),
                        new Extent(8192, 4096, false), new Extent(20000, 10, true))));
    }

    @Test
    void metadataObjectIsCinderVersion2() throws Exception {
        var ref = new dev.ember.driver.BackupRef("b1", "v1", 1, null, null, "name \"q\"", null, null, null);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(MetaObject.json(ref));
        assertEquals(2, json.get("version").asInt());
        assertEquals("name \"q\"", json.get("volume-base-metadata").get("display_name").asText());
    }

    @Test
    void pipelineCopiesSkipsAndZeroes() throws Exception {
        byte[] src = new byte[10 << 20];
        new Random(3).nextBytes(src);
        java.util.Arrays.fill(src, 4 << 20, 5 << 20, (byte) 0);
        Mem from = new Mem(src.clone());
        Mem to = new Mem(new byte[src.length]);
        java.util.Arrays.fill(to.data, (byte) 7);
        try (BlockPipeline p = new BlockPipeline(BlockPipeline.source(from), BlockPipeline.sink(to),
                BlockPipeline.Zeros.ZERO, 1 << 20, 3)) {
            p.copy(0, 3000);              // small pieces use the small buffers
            p.copy(3000, src.length - 3000);
            p.finish();
        }
        assertArrayEquals(src, to.data);
        assertTrue(to.zeroCalls > 0, "an all-zero piece becomes a zero call");
    }

    /** A heap device. */
    static final class Mem implements VolumeDevice {
        final byte[] data;
        int zeroCalls;

        Mem(byte[] data) {
            this.data = data;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public int read(long offset, ByteBuffer dst) {
            if (offset >= data.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), data.length - offset);
            dst.put(data, (int) offset, n);
            return n;
        }

        @Override
        public void write(long offset, ByteBuffer src) {
            src.get(data, (int) offset, src.remaining());
        }

        @Override
        public void zero(long offset, long length) throws IOException {
            zeroCalls++;
            java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
