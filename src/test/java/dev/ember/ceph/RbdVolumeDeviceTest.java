package dev.ember.ceph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdVolumeDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RbdVolumeDeviceTest {
    private static final int MIB = 1 << 20;
    private static CephCluster cluster;
    private static Pool pool;

    @BeforeAll
    static void connect() throws Exception {
        cluster = CephTestCluster.connect();
        pool = cluster.openPool("volumes");
    }

    @AfterAll
    static void disconnect() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void positionalIoZeroAndBounds() throws Exception {
        String name = CephTestCluster.uniqueName("dev");
        pool.createImage(name, 12 * MIB);
        try {
            byte[] data = new byte[12 * MIB];
            new Random(7).nextBytes(data);
            RbdImage image = pool.openImage(name);
            try (VolumeDevice dev = new RbdVolumeDevice(image)) {
                assertEquals(12 * MIB, dev.size());
                dev.write(0, ByteBuffer.wrap(data));
                assertEquals(0, dev.read(0, ByteBuffer.allocate(0)));

                dev.zero(4 * MIB, 4 * MIB);      // whole object: deallocated
                dev.zero(100, 1000);             // unaligned: zeroed
                dev.flush();
                java.util.Arrays.fill(data, 4 * MIB, 8 * MIB, (byte) 0);
                java.util.Arrays.fill(data, 100, 1100, (byte) 0);

                ByteBuffer all = ByteBuffer.allocate(12 * MIB + 4096);
                int total = 0;
                int n;
                while ((n = dev.read(total, all)) > 0) {
                    total += n;
                }
                assertEquals(-1, n);
                assertEquals(12 * MIB, total);
                all.flip();
                byte[] back = new byte[total];
                all.get(back);
                assertArrayEquals(data, back);

                ByteBuffer tail = ByteBuffer.allocate(8192);
                assertEquals(4096, dev.read(12 * MIB - 4096, tail)); // clipped at the end
                assertEquals(-1, dev.read(12 * MIB, tail));
                assertThrows(IOException.class, () -> dev.write(12 * MIB - 10, ByteBuffer.allocate(20)));
                assertThrows(IOException.class, () -> dev.zero(12 * MIB - 10, 20));

                image.createSnapshot("s");
                List<Extent> alloc = image.diff(null, true);
                assertEquals(List.of(new Extent(0, 4 * MIB, true), new Extent(8 * MIB, 4 * MIB, true)), alloc);
            }
            assertTrue(image.isClosed());
            try (RbdImage img = pool.openImage(name)) {
                img.removeSnapshot("s");
            }
        } finally {
            CephTestCluster.removeImageQuietly(pool, name);
        }
    }
}
