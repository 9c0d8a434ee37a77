package dev.ember.volume;

import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.device.rbd.SourceKind;
import dev.ember.model.Volume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RbdVolumeBackend against the real one-node cluster (pool volumes, user cinder). */
class RbdVolumeBackendTest {

    private static final long MIB = 1024 * 1024;
    private static RbdVolumeBackend backend;

    @BeforeAll
    static void connect() throws Exception {
        backend = RbdVolumeBackend.connect(CephVolumesCluster.conf(), CephVolumesCluster.USER, CephVolumesCluster.POOL);
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    static Volume volume(String id, String status, String previousStatus) {
        LocalDateTime now = LocalDateTime.now();
        return new Volume(id, "u", "p", "h", 1, "nova", status, "detached", previousStatus, null, null, null, false,
                false, null, now, now);
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static void write(VolumeDevice d, long off, byte[] data) throws IOException {
        d.write(off, ByteBuffer.wrap(data));
    }

    private static byte[] read(VolumeDevice d, long off, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        d.read(off, b);
        return b.array();
    }

    private List<String> snapshotsOf(String volumeId) throws IOException {
        try (RbdImage img = backend.pool().openImageReadOnly(RbdVolumeBackend.imageName(volumeId), null)) {
            return img.listSnapshots().stream().map(Snapshot::name).toList();
        }
    }

    @Test
    void createOpenExtendDelete() throws Exception {
        String id = UUID.randomUUID().toString();
        backend.create(id, 8 * MIB);
        try {
            assertTrue(backend.pool().imageExists("volume-" + id));
            byte[] data = pattern(4096, 7);
            try (VolumeDevice d = backend.open(id, true)) {
                RbdDevice rd = assertInstanceOf(RbdDevice.class, d);
                assertEquals(SourceKind.LIVE_VOLUME, rd.kind());
                assertEquals("volume-" + id, rd.imageName());
                assertEquals(id, rd.volumeId());
                assertEquals(8 * MIB, d.size());
                write(d, 3 * MIB, data);
                d.flush();
            }
            backend.extend(id, 16 * MIB);
            try (VolumeDevice d = backend.open(id, false)) {
                assertEquals(16 * MIB, d.size());
                assertArrayEquals(data, read(d, 3 * MIB, 4096));
            }
            // Backup snapshots go with the volume, as with cinder's RBD driver.
            try (RbdImage img = backend.pool().openImage("volume-" + id)) {
                img.createSnapshot("backup.x.snap.1");
            }
        } finally {
            backend.delete(id);
        }
        assertFalse(backend.pool().imageExists("volume-" + id));
        backend.delete(id); // missing: no error
    }

    @Test
    void liveSourceForAnAvailableVolume() throws Exception {
        String id = UUID.randomUUID().toString();
        backend.create(id, 4 * MIB);
        try (VolumeDevice d = backend.openBackupSource(volume(id, "backing-up", "available"), null)) {
            RbdDevice rd = assertInstanceOf(RbdDevice.class, d);
            assertEquals(SourceKind.LIVE_VOLUME, rd.kind());
            assertNull(rd.image().snapshot());
        } finally {
            backend.delete(id);
        }
    }

    @Test
    void inUseBackupReadsTemporaryCloneThatAppearsAndGoes() throws Exception {
        String id = UUID.randomUUID().toString();
        backend.create(id, 8 * MIB);
        try {
            byte[] data = pattern(65536, 3);
            try (VolumeDevice d = backend.open(id, true)) {
                write(d, MIB, data);
            }
            List<String> imagesBefore = backend.pool().listImages();
            RbdDevice clone = (RbdDevice) backend.openBackupSource(volume(id, "backing-up", "in-use"), null);
            String cloneName;
            try {
                assertEquals(SourceKind.TEMPORARY_CLONE, clone.kind());
                assertEquals(id, clone.volumeId());
                cloneName = clone.imageName();
                assertTrue(cloneName.startsWith("volume-") && !cloneName.equals("volume-" + id), cloneName);
                String tmpId = cloneName.substring("volume-".length());
                assertEquals(List.of("volume-" + tmpId + ".clone_snap"), snapshotsOf(id));
                assertTrue(backend.pool().listImages().contains(cloneName));
                assertEquals(8 * MIB, clone.size());
                assertArrayEquals(data, read(clone, MIB, data.length));
                // Writes to the source after the clone was taken are not seen by the backup.
                try (VolumeDevice live = backend.open(id, true)) {
                    write(live, MIB, new byte[4096]);
                }
                assertArrayEquals(data, read(clone, MIB, data.length));
            } finally {
                clone.close();
            }
            assertEquals(List.of(), snapshotsOf(id));
            assertFalse(backend.pool().listImages().contains(cloneName));
            assertEquals(imagesBefore.stream().sorted().toList(), backend.pool().listImages().stream().sorted().toList());
        } finally {
            backend.delete(id);
        }
    }

    @Test
    void temporaryCloneOfAKilledBackupIsRemovedAndRealClonesStay() throws Exception {
        String id = UUID.randomUUID().toString();
        backend.create(id, 4 * MIB);
        String tmp = UUID.randomUUID().toString();
        String real = UUID.randomUUID().toString();
        try {
            // What openTemporaryClone leaves when the process dies before closing the device, and a
            // volume really cloned from this one (its id is a volume).
            for (String child : List.of(tmp, real)) {
                String snap = RbdVolumeBackend.cloneSnapshotName(child);
                try (RbdImage src = backend.pool().openImage(RbdVolumeBackend.imageName(id))) {
                    src.createSnapshot(snap);
                    src.protectSnapshot(snap);
                }
                backend.pool().cloneImage(RbdVolumeBackend.imageName(id), snap, backend.pool(),
                        RbdVolumeBackend.imageName(child), dev.ember.ceph.ImageOptions.defaults());
            }
            backend.releaseInterruptedBackupSource(id, v -> v.equals(real));
            backend.releaseInterruptedBackupSource(id, v -> v.equals(real)); // idempotent
            assertEquals(List.of(RbdVolumeBackend.cloneSnapshotName(real)), snapshotsOf(id));
            List<String> images = backend.pool().listImages();
            assertFalse(images.contains(RbdVolumeBackend.imageName(tmp)));
            assertTrue(images.contains(RbdVolumeBackend.imageName(real)));
        } finally {
            dev.ember.testing.LocalCeph.removeImageQuietly(backend.pool(), RbdVolumeBackend.imageName(real));
            dev.ember.testing.LocalCeph.removeImageQuietly(backend.pool(), RbdVolumeBackend.imageName(tmp));
            dev.ember.testing.LocalCeph.removeImageQuietly(backend.pool(), RbdVolumeBackend.imageName(id));
        }
    }

    @Test
    void cinderSnapshotIsTheBackupSource() throws Exception {
        String id = UUID.randomUUID().toString();
        String snapId = UUID.randomUUID().toString();
        backend.create(id, 4 * MIB);
        try {
            byte[] before = pattern(8192, 1);
            try (VolumeDevice d = backend.open(id, true)) {
                write(d, 0, before);
            }
            backend.createSnapshot(id, snapId);
            assertEquals(List.of("snapshot-" + snapId), snapshotsOf(id));
            try (VolumeDevice d = backend.open(id, true)) {
                write(d, 0, pattern(8192, 2));
            }
            // The volume's status does not matter for a snapshot backup.
            try (RbdDevice d = (RbdDevice) backend.openBackupSource(volume(id, "in-use", "in-use"), snapId)) {
                assertEquals(SourceKind.CINDER_SNAPSHOT, d.kind());
                assertEquals("volume-" + id, d.imageName());
                assertEquals("snapshot-" + snapId, d.image().snapshot());
                assertArrayEquals(before, read(d, 0, 8192));
                assertThrows(IOException.class, () -> d.write(0, ByteBuffer.wrap(new byte[512])));
            }
            backend.deleteSnapshot(id, snapId);
            backend.deleteSnapshot(id, snapId); // missing: no error
            assertEquals(List.of(), snapshotsOf(id));
        } finally {
            backend.delete(id);
        }
    }

    @Test
    void concurrentTemporaryClonesOfOneVolume() throws Exception {
        String id = UUID.randomUUID().toString();
        backend.create(id, 4 * MIB);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fs.add(pool.submit(() -> {
                    try (RbdDevice d = (RbdDevice) backend.openBackupSource(volume(id, "backing-up", "in-use"), null)) {
                        d.read(0, ByteBuffer.allocate(4096));
                        return d.imageName();
                    }
                }));
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Future<String> f : fs) {
                names.add(f.get());
            }
            assertEquals(3, names.size());
            assertEquals(List.of(), snapshotsOf(id));
        } finally {
            pool.shutdownNow();
            backend.delete(id);
        }
    }

    @Test
    void missingVolumeFailsToOpen() {
        assertThrows(IOException.class, () -> backend.open(UUID.randomUUID().toString(), false));
    }
}
