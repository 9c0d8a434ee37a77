package dev.ember.ceph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Pool#cloneImage} (rbd_clone3) against the real cluster. */
class RbdCloneTest {

    @Test
    void cloneOfAProtectedSnapshotReadsItsData() throws Exception {
        String parent = CephTestCluster.uniqueName("clone-parent");
        String child = CephTestCluster.uniqueName("clone-child");
        try (CephCluster cluster = CephTestCluster.connect(); Pool pool = cluster.openPool(CephTestCluster.POOL)) {
            try {
                pool.createImage(parent, 8L << 20);
                byte[] data = new byte[4096];
                java.util.Arrays.fill(data, (byte) 0x5a);
                try (RbdImage p = pool.openImage(parent)) {
                    p.write(1 << 20, data);
                    p.createSnapshot("s1");
                    p.protectSnapshot("s1");
                }
                pool.cloneImage(parent, "s1", pool, child, ImageOptions.defaults());
                try (RbdImage c = pool.openImage(child)) {
                    assertEquals(8L << 20, c.size());
                    assertArrayEquals(data, c.read(1 << 20, 4096));
                }
                assertThrows(ImageExistsException.class,
                        () -> pool.cloneImage(parent, "s1", pool, child, ImageOptions.defaults()));
                assertThrows(ImageNotFoundException.class,
                        () -> pool.cloneImage(parent, "nope", pool, child + "x", ImageOptions.defaults()));
                // The parent snapshot cannot be unprotected while the clone exists.
                try (RbdImage p = pool.openImage(parent)) {
                    assertThrows(CephException.class, () -> p.unprotectSnapshot("s1"));
                }
                pool.removeImage(child);
                try (RbdImage p = pool.openImage(parent)) {
                    p.unprotectSnapshot("s1");
                    assertTrue(!p.isSnapshotProtected("s1"));
                }
            } finally {
                CephTestCluster.removeImageQuietly(pool, child);
                CephTestCluster.removeImageQuietly(pool, parent);
            }
        }
    }
}
