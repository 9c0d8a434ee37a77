package dev.ember.ceph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** librbd bindings against the real devstack/ceph cluster (user cinder, pool backups). */
class RbdImageTest {
    private static final long MIB = 1 << 20;
    private static CephCluster cluster;
    private static Pool pool;
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void connect() throws Exception {
        cluster = CephTestCluster.connect();
        pool = cluster.openPool(CephTestCluster.POOL);
    }

    @AfterAll
    static void disconnect() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void cleanUp() {
        for (String name : created) {
            CephTestCluster.removeImageQuietly(pool, name);
        }
    }

    private String newImage(String what, long size) throws CephException {
        String name = CephTestCluster.uniqueName(what);
        created.add(name);
        pool.createImage(name, size);
        return name;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void createListRemove() throws Exception {
        String name = newImage("crud", 8 * MIB);
        assertTrue(pool.listImages().contains(name));
        assertTrue(pool.imageExists(name));
        try (RbdImage img = pool.openImage(name)) {
            assertEquals(8 * MIB, img.size());
            assertEquals(ImageFeatures.DEFAULT, img.features());
            assertEquals(4 * MIB, img.objectSize());
        }
        pool.removeImage(name);
        assertFalse(pool.listImages().contains(name));
        assertFalse(pool.imageExists(name));
    }

    @Test
    void removingSnapshotsUnprotectsAndToleratesMissingOnes() throws Exception {
        String name = newImage("snaprm", 4 * MIB);
        try (RbdImage img = pool.openImage(name)) {
            for (String s : List.of("a", "b", "c")) {
                img.createSnapshot(s);
            }
            img.protectSnapshot("a");
            img.removeSnapshotIfExists("a");
            img.removeSnapshotIfExists("nope");
            assertEquals(List.of("b", "c"), img.listSnapshots().stream().map(Snapshot::name).toList());
            img.protectSnapshot("c");
            img.removeAllSnapshots();
            assertEquals(List.of(), img.listSnapshots());
        }
        pool.removeImage(name);
    }

    @Test
    void createWithOptions() throws Exception {
        String name = CephTestCluster.uniqueName("opts");
        created.add(name);
        pool.createImage(name, 16 * MIB, ImageOptions.defaults()
                .withFeatures(ImageFeatures.LAYERING | ImageFeatures.STRIPINGV2)
                .withOrder(20).withStriping(64 * 1024, 4));
        try (RbdImage img = pool.openImage(name)) {
            assertEquals(ImageFeatures.LAYERING | ImageFeatures.STRIPINGV2, img.features());
            assertEquals(MIB, img.objectSize());
        }
    }

    @Test
    void writeReadRoundTripIsBitIdentical() throws Exception {
        String name = newImage("rw", 32 * MIB);
        byte[] big = random(9 * (int) MIB + 123, 1);
        byte[] small = random(4096, 2);
        try (RbdImage img = pool.openImage(name)) {
            img.write(3 * MIB + 17, big);                         // heap buffer, crosses objects, > bounce size
            ByteBuffer direct = ByteBuffer.allocateDirect(8192);
            direct.position(4096);
            direct.put(small).flip().position(4096);                 // direct buffer with a non-zero position
            img.write(30 * MIB, direct);
            assertEquals(8192, direct.position());
            img.flush();

            assertArrayEquals(big, img.read(3 * MIB + 17, big.length));
            ByteBuffer back = ByteBuffer.allocateDirect(4096 + 100);
            back.position(100);
            assertEquals(4096, img.read(30 * MIB, back));
            byte[] got = new byte[4096];
            back.position(100);
            back.get(got);
            assertArrayEquals(small, got);
            assertArrayEquals(new byte[4096], img.read(20 * MIB, 4096)); // never written: zeros
            assertEquals(100, img.read(32 * MIB - 100, 4096).length);    // clipped at the end
        }
        try (RbdImage img = pool.openImageReadOnly(name, null)) {
            assertArrayEquals(big, img.read(3 * MIB + 17, big.length));
            assertThrows(CephException.class, () -> img.write(0, new byte[1])); // read-only handle
        }
    }

    @Test
    void resize() throws Exception {
        String name = newImage("resize", 8 * MIB);
        try (RbdImage img = pool.openImage(name)) {
            img.resize(20 * MIB);
            assertEquals(20 * MIB, img.size());
            img.write(19 * MIB, random(4096, 3));
            img.resize(4 * MIB);
            assertEquals(4 * MIB, img.size());
        }
        try (RbdImage img = pool.openImage(name)) {
            assertEquals(4 * MIB, img.size());
        }
    }

    @Test
    void snapshotsCreateListProtectRemove() throws Exception {
        String name = newImage("snaps", 8 * MIB);
        byte[] v1 = random(4096, 4);
        try (RbdImage img = pool.openImage(name)) {
            img.write(0, v1);
            img.createSnapshot("s1");
            img.resize(12 * MIB);
            img.write(0, random(4096, 5));
            img.createSnapshot("s2");
            List<Snapshot> snaps = img.listSnapshots();
            assertEquals(List.of("s1", "s2"), snaps.stream().map(Snapshot::name).toList());
            assertEquals(8 * MIB, snaps.get(0).size());
            assertEquals(12 * MIB, snaps.get(1).size());
            assertTrue(snaps.get(0).id() < snaps.get(1).id());
            assertTrue(img.snapshotExists("s1"));
            assertFalse(img.snapshotExists("nope"));

            assertThrows(ImageExistsException.class, () -> img.createSnapshot("s1"));

            img.protectSnapshot("s1");
            assertTrue(img.isSnapshotProtected("s1"));
            assertFalse(img.isSnapshotProtected("s2"));
            ImageBusyException busy = assertThrows(ImageBusyException.class, () -> img.removeSnapshot("s1"));
            assertEquals(Errno.EBUSY, busy.errno());
            img.unprotectSnapshot("s1");
            assertFalse(img.isSnapshotProtected("s1"));

            SnapshotNotFoundException missing = assertThrows(SnapshotNotFoundException.class,
                    () -> img.removeSnapshot("nope"));
            assertTrue(missing.getMessage().contains(name + "@nope"), missing.getMessage());
            assertInstanceOf(ImageNotFoundException.class, missing);

            // reading at a snapshot: through snap_set and through open
            img.setSnapshot("s1");
            assertEquals("s1", img.snapshot());
            assertArrayEquals(v1, img.read(0, 4096));
            assertEquals(8 * MIB, img.size());
            img.setSnapshot(null);
            assertEquals(12 * MIB, img.size());
            try (RbdImage at = pool.openImageReadOnly(name, "s1")) {
                assertArrayEquals(v1, at.read(0, 4096));
            }

            ImageHasSnapshotsException hasSnaps = assertThrows(ImageHasSnapshotsException.class, () -> {
                img.close();
                pool.removeImage(name);
            });
            assertEquals(Errno.ENOTEMPTY, hasSnaps.errno());
        }
        try (RbdImage img = pool.openImage(name)) {
            img.removeSnapshot("s1");
            img.removeSnapshot("s2");
            assertEquals(List.of(), img.listSnapshots());
        }
    }

    @Test
    void manySnapshotsGrowTheListBuffer() throws Exception {
        String name = newImage("manysnaps", MIB);
        try (RbdImage img = pool.openImage(name)) {
            for (int i = 0; i < 40; i++) {
                img.createSnapshot("backup." + i + ".snap.1714557600." + i);
            }
            List<Snapshot> snaps = img.listSnapshots();
            assertEquals(40, snaps.size());
            assertEquals("backup.39.snap.1714557600.39", snaps.get(39).name());
        }
    }

    @Test
    void diffBetweenSnapshotsReportsExactlyTheWrittenExtents() throws Exception {
        String name = newImage("diff", 64 * MIB);
        try (RbdImage img = pool.openImage(name)) {
            img.write(0, random(16 * (int) MIB, 6));       // objects 0-3 fully written before s1
            img.write(20 * MIB, random(4 * (int) MIB, 7)); // object 5, fully
            img.createSnapshot("s1");
            img.write(MIB + 4096, random(4096, 8));        // overwrites: reported exactly
            img.write(10 * MIB, random(65536, 9));
            img.writeZeroes(20 * MIB, 4 * MIB);            // object 5 deallocated
            img.createSnapshot("s2");
            img.write(40 * MIB, random(4096, 10));         // after s2: not in the s1..s2 diff

            img.setSnapshot("s2");
            List<Extent> exact = img.diff("s1", false);
            assertEquals(List.of(
                    new Extent(MIB + 4096, 4096, true),
                    new Extent(10 * MIB, 65536, true),
                    new Extent(20 * MIB, 4 * MIB, false)), exact);

            List<Extent> whole = img.diff("s1", true);
            assertEquals(List.of(
                    new Extent(0, 4 * MIB, true),
                    new Extent(8 * MIB, 4 * MIB, true),
                    new Extent(20 * MIB, 4 * MIB, false)), whole);

            // from the beginning: everything allocated at s2, one extent per object (not merged)
            assertEquals(List.of(new Extent(0, 4 * MIB, true), new Extent(4 * MIB, 4 * MIB, true),
                    new Extent(8 * MIB, 4 * MIB, true), new Extent(12 * MIB, 4 * MIB, true)), img.diff(null, false));

            // a sub-range, streamed
            List<Extent> part = new ArrayList<>();
            img.diff("s1", 8 * MIB, 16 * MIB, false, part::add);
            assertEquals(List.of(new Extent(10 * MIB, 65536, true), new Extent(20 * MIB, 4 * MIB, false)), part);

            // missing from-snapshot
            assertThrows(SnapshotNotFoundException.class, () -> img.diff("nope", false));

            // head against s2: a write into an object that did not exist at s2 is reported from
            // the object's start to the end of its data (librbd/OSD report new objects whole)
            img.setSnapshot(null);
            assertEquals(List.of(new Extent(40 * MIB, 4096, true)), img.diff("s2", false));
            img.write(49 * MIB, random(4096, 13));
            assertEquals(List.of(new Extent(40 * MIB, 4096, true), new Extent(48 * MIB, MIB + 4096, true)),
                    img.diff("s2", false));
        }
    }

    @Test
    void diffHandlerExceptionAbortsAndIsRethrown() throws Exception {
        String name = newImage("diffabort", 16 * MIB);
        try (RbdImage img = pool.openImage(name)) {
            for (int i = 0; i < 4; i++) {
                img.write(i * 4 * MIB, random(4096, i));
            }
            int[] seen = {0};
            IOException e = assertThrows(IOException.class, () -> img.diff(null, 0, img.size(), false, x -> {
                seen[0]++;
                throw new IOException("stop here");
            }));
            assertEquals("stop here", e.getMessage());
            assertEquals(1, seen[0]);
            assertEquals(4, img.diff(null, false).size()); // the handle still works
        }
    }

    @Test
    void missingImageIsImageNotFoundWithErrno() {
        String name = CephTestCluster.uniqueName("missing");
        ImageNotFoundException e = assertThrows(ImageNotFoundException.class, () -> pool.openImage(name));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("rbd_open", e.call());
        assertTrue(e.getMessage().contains("backups/" + name), e.getMessage());
        assertTrue(e.getMessage().contains("errno 2 ENOENT"), e.getMessage());
        assertThrows(ImageNotFoundException.class, () -> pool.openImageReadOnly(name, null));
        assertThrows(ImageNotFoundException.class, () -> pool.removeImage(name));
    }

    @Test
    void openAtMissingSnapshotIsNotFound() throws Exception {
        String name = newImage("nosnap", MIB);
        ImageNotFoundException e = assertThrows(ImageNotFoundException.class,
                () -> pool.openImageReadOnly(name, "nope"));
        assertTrue(e.getMessage().contains(name + "@nope"), e.getMessage());
    }

    @Test
    void createExistingIsImageExists() throws Exception {
        String name = newImage("exists", MIB);
        ImageExistsException e = assertThrows(ImageExistsException.class, () -> pool.createImage(name, MIB));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(e.getMessage().contains("rbd_create4(backups/" + name + ")"), e.getMessage());
    }

    @Test
    void removingAnOpenImageIsBusyAndWorksAfterClose() throws Exception {
        String name = newImage("busy", MIB);
        RbdImage img = pool.openImage(name);
        ImageBusyException e = assertThrows(ImageBusyException.class, () -> pool.removeImage(name));
        assertEquals(Errno.EBUSY, e.errno());
        img.close();
        assertDoesNotThrow(img::close); // twice
        assertTrue(img.isClosed());
        pool.removeImage(name);
        assertFalse(pool.imageExists(name));
    }

    @Test
    void callsOnAClosedHandleFailCleanly() throws Exception {
        String name = newImage("closed", MIB);
        RbdImage img = pool.openImage(name);
        img.close();
        CephException e = assertThrows(CephException.class, img::size);
        assertEquals(Errno.EBADF, e.errno());
        assertThrows(CephException.class, () -> img.read(0, 10));
        assertThrows(CephException.class, img::listSnapshots);
    }

    @Test
    void closingThePoolClosesItsImages() throws Exception {
        String name = newImage("poolclose", MIB);
        try (CephCluster c = CephTestCluster.connect()) {
            Pool p = c.openPool(CephTestCluster.POOL);
            RbdImage img = p.openImage(name);
            c.close();
            assertTrue(img.isClosed());
            assertTrue(p.isClosed());
            assertDoesNotThrow(p::close);
        }
        pool.removeImage(name); // no watcher left behind
    }

    @Test
    void asyncPipelinedWritesAndReads() throws Exception {
        String name = newImage("aio", 16 * MIB);
        int n = 8;
        int chunk = (int) MIB;
        byte[] data = random(n * chunk, 11);
        try (RbdImage img = pool.openImage(name)) {
            List<AioCompletion> ops = new ArrayList<>();
            List<ByteBuffer> bufs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(chunk);
                b.put(data, i * chunk, chunk).flip();
                bufs.add(b);
                ops.add(img.writeAsync((long) i * chunk, b));
            }
            for (AioCompletion op : ops) {
                op.await();
            }
            for (ByteBuffer b : bufs) {
                assertFalse(b.hasRemaining());
            }
            ops.clear();
            bufs.clear();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(chunk);
                bufs.add(b);
                ops.add(img.readAsync((long) i * chunk, b));
            }
            byte[] back = new byte[n * chunk];
            for (int i = 0; i < n; i++) {
                assertEquals(chunk, ops.get(i).await());
                bufs.get(i).flip().get(back, i * chunk, chunk);
            }
            assertArrayEquals(data, back);
            // left un-awaited: close waits for it and releases the completion
            img.readAsync(0, ByteBuffer.allocateDirect(4096));
            assertThrows(IllegalArgumentException.class, () -> img.readAsync(0, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void discardAndWriteZeroes() throws Exception {
        String name = newImage("zero", 16 * MIB);
        try (RbdImage img = pool.openImage(name)) {
            img.write(0, random(8 * (int) MIB, 12));
            img.writeZeroes(100, 5000);                   // unaligned, inside object 0
            byte[] head = img.read(0, 6000);
            for (int i = 100; i < 5100; i++) {
                assertEquals(0, head[i], "byte " + i);
            }
            assertTrue(head[99] != 0 || head[5100] != 0);
            img.discard(4 * MIB, 4 * MIB);                // a whole object
            assertArrayEquals(new byte[4096], img.read(4 * MIB, 4096));
            assertEquals(List.of(new Extent(0, 4 * MIB, true)), img.diff(null, true));
        }
    }
}
