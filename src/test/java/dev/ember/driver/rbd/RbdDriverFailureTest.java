package dev.ember.driver.rbd;

import dev.ember.ceph.RbdImage;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.device.VolumeDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.ember.driver.rbd.RbdFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failure paths and odd inputs of the RBD driver on the real cluster. */
class RbdDriverFailureTest {
    static final long SIZE = 24 * MIB;

    RbdFixture fx;
    RbdBackupDriver driver;
    String v;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RbdFixture();
        driver = fx.driver(BaseLayout.SINGLE_BASE);
        v = fx.newVolume(SIZE);
        fx.scribble(v, 20, (int) MIB);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        fx.close();
    }

    BackupRef backup(String parentId, ProgressListener progress) throws Exception {
        BackupRef ref = RbdFixture.ref(fx.newBackupId(), v, parentId);
        try (RbdDevice dev = fx.live(v)) {
            return RbdFixture.stored(ref, driver.backup(ref, null, dev, progress));
        }
    }

    String restoreIntoNew(BackupRef ref) throws Exception {
        String other = fx.newVolume(SIZE);
        try (RbdDevice dev = fx.live(other)) {
            driver.restore(List.of(ref), dev, () -> false);
        }
        return fx.volumeSha(other);
    }

    String base() {
        return ImageNames.legacyBase(v);
    }

    @Test
    void fromSnapshotMissingOnTheBaseFallsBackToAFullCopy() throws Exception {
        BackupRef b1 = backup(null, null);
        String s1 = fx.sourceSnaps(v).get(0);
        try (RbdImage img = fx.backups.openImage(base())) {
            img.removeSnapshot(s1);
        }
        fx.scribble(v, 5, 100_000);
        String sha2 = fx.volumeSha(v);
        BackupRef b2 = backup(null, null);
        assertNull(b2.serviceMetadata());
        assertNull(b2.parentId());
        assertEquals(Map.of(base(), List.of(), ImageNames.perBackup(v, b2.id()), List.of()), fx.backupImages(v));
        assertEquals(List.of(), fx.sourceSnaps(v), "the stale snapshot is removed from the source");
        assertEquals(sha2, restoreIntoNew(b2));

        // b1's data is gone: a clear error, the target untouched.
        String other = fx.newVolume(SIZE);
        fx.scribble(other, 3, 1000);
        String before = fx.volumeSha(other);
        try (RbdDevice dev = fx.live(other)) {
            BackupDriverException e = assertThrows(BackupDriverException.class,
                    () -> driver.restore(List.of(b1), dev, () -> false));
            assertTrue(e.getMessage().contains("no data for backup " + b1.id()), e.getMessage());
        }
        assertEquals(before, fx.volumeSha(other));
    }

    @Test
    void deletedBaseStartsANewBase() throws Exception {
        backup(null, null);
        RbdFixture.removeQuietly(fx.backups, base());
        fx.scribble(v, 5, 100_000);
        String sha2 = fx.volumeSha(v);
        BackupRef b2 = backup(null, null);
        assertNull(b2.parentId());
        List<String> src = fx.sourceSnaps(v);
        assertEquals(1, src.size());
        assertTrue(src.get(0).startsWith("backup." + b2.id() + ".snap."));
        assertEquals(Map.of(base(), src), fx.backupImages(v));
        assertEquals(sha2, restoreIntoNew(b2));
    }

    @Test
    void snapshotLeftByACrashedBackupIsSkippedAndRemoved() throws Exception {
        BackupRef b1 = backup(null, null);
        String s1 = fx.sourceSnaps(v).get(0);
        String crashed = "backup." + fx.newBackupId() + ".snap." + (System.currentTimeMillis() / 1000 + 100) + ".5";
        try (RbdImage img = fx.volumes.openImage(ImageNames.volume(v))) {
            img.createSnapshot(crashed);
        }
        fx.scribble(v, 5, 100_000);
        String sha2 = fx.volumeSha(v);
        BackupRef b2 = backup(null, null);
        // The newest source snapshot is not on the base: the diff starts from the newest one the
        // base has (cinder Queens+), and both leave the source once the backup is done.
        assertEquals(b1.id(), b2.parentId());
        List<String> src = fx.sourceSnaps(v);
        assertEquals(1, src.size());
        String s2 = src.get(0);
        assertTrue(s2.startsWith("backup." + b2.id() + ".snap."));
        assertEquals(Map.of(base(), List.of(s1, s2)), fx.backupImages(v));

        fx.scribble(v, 5, 100_000);
        String sha3 = fx.volumeSha(v);
        BackupRef b3 = backup(null, null);
        assertEquals(b2.id(), b3.parentId());
        String s3 = fx.sourceSnaps(v).get(0);
        assertEquals(List.of(s1, s2, s3), fx.snaps(fx.backups, base()));
        assertEquals(sha2, restoreIntoNew(b2));
        assertEquals(sha3, restoreIntoNew(b3));
    }

    @Test
    void restoreIntoASmallerVolumeFailsClearly() throws Exception {
        BackupRef b1 = backup(null, null);
        String small = fx.newVolume(SIZE - 4 * MIB);
        fx.scribble(small, 2, 1000);
        String before = fx.volumeSha(small);
        try (RbdDevice dev = fx.live(small)) {
            BackupDriverException e = assertThrows(BackupDriverException.class,
                    () -> driver.restore(List.of(b1), dev, () -> false));
            assertTrue(e.getMessage().contains("smaller than the backup"), e.getMessage());
        }
        assertEquals(before, fx.volumeSha(small));
    }

    @Test
    void restoreIntoALargerVolumeZeroesTheRest() throws Exception {
        String sha = fx.volumeSha(v);
        BackupRef b1 = backup(null, null);
        String big = fx.newVolume(SIZE + 8 * MIB);
        fx.scribble(big, 30, (int) MIB);
        try (RbdDevice dev = fx.live(big)) {
            driver.restore(List.of(b1), dev, () -> false);
        }
        assertEquals(sha, RbdBackupDriverTestSupport.prefixSha(fx.volumes, ImageNames.volume(big), SIZE));
        try (RbdImage img = fx.volumes.openImageReadOnly(ImageNames.volume(big), null)) {
            assertTrue(RbdBackupDriverTestSupport.readsZeros(img, SIZE, 8 * MIB));
        }
        // Without restore_discard_excess_bytes the excess keeps its data.
        String big2 = fx.newVolume(SIZE + 8 * MIB);
        fx.write("volumes", ImageNames.volume(big2), SIZE + MIB, new byte[] {1, 2, 3});
        try (RbdBackupDriver keep = new RbdBackupDriver(driver.options().withDiscardExcessBytes(false));
             RbdDevice dev = fx.live(big2)) {
            keep.restore(List.of(b1), dev, () -> false);
        }
        try (RbdImage img = fx.volumes.openImageReadOnly(ImageNames.volume(big2), null)) {
            assertFalse(RbdBackupDriverTestSupport.readsZeros(img, SIZE, 8 * MIB));
        }
    }

    @Test
    void missingPoolsImagesAndData() throws Exception {
        try (RbdDevice dev = fx.live(v)) {
            BackupRef bad = new BackupRef(fx.newBackupId(), v, 1, "no such/pool", null, "n", "d", null, null);
            BackupDriverException e = assertThrows(BackupDriverException.class,
                    () -> driver.backup(bad, null, dev, null));
            assertTrue(e.getMessage().contains("Invalid container"), e.getMessage());
            BackupRef missing = new BackupRef(fx.newBackupId(), v, 1, "ember-no-such-pool", null, "n", "d", null, null);
            e = assertThrows(BackupDriverException.class, () -> driver.backup(missing, null, dev, null));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
            driver.delete(missing); // nothing to delete: fine
        }
        assertEquals(List.of(), fx.sourceSnaps(v));
        assertEquals(Map.of(), fx.backupImages(v));

        // A backup whose data never existed (or was removed behind our back).
        BackupRef ghost = RbdFixture.ref(fx.newBackupId(), v, null);
        driver.delete(ghost);
        try (RbdDevice dev = fx.live(v)) {
            String before = fx.volumeSha(v);
            BackupDriverException e = assertThrows(BackupDriverException.class,
                    () -> driver.restore(List.of(ghost), dev, () -> false));
            assertTrue(e.getMessage().contains("no data for backup"), e.getMessage());
            assertEquals(before, fx.volumeSha(v));
        }

        // A cluster that cannot be reached / a config that does not exist.
        try (RbdBackupDriver broken = new RbdBackupDriver(RbdOptions.defaults(Path.of("/nonexistent/ceph.conf")));
             RbdDevice dev = fx.live(v)) {
            BackupDriverException e = assertThrows(BackupDriverException.class,
                    () -> broken.backup(RbdFixture.ref(fx.newBackupId(), v, null), null, dev, null));
            assertTrue(e.getMessage().contains("Cannot connect to Ceph"), e.getMessage());
        }
    }

    @Test
    void existingMetadataObjectFailsBeforeAnything() throws Exception {
        BackupRef ref = RbdFixture.ref(fx.newBackupId(), v, null);
        fx.backups.writeObject(ImageNames.meta(ref.id()), "{}".getBytes(StandardCharsets.UTF_8));
        try (RbdDevice dev = fx.live(v)) {
            BackupDriverException e = assertThrows(BackupDriverException.class,
                    () -> driver.backup(ref, null, dev, null));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        }
        assertEquals(Map.of(), fx.backupImages(v));
        assertEquals(List.of(), fx.sourceSnaps(v));
        assertEquals("{}", new String(fx.backups.readObject(ImageNames.meta(ref.id())), StandardCharsets.UTF_8));
    }

    @Test
    void backupKilledMidDifferentialIsSettledByTheStartupCleanup() throws Exception {
        BackupRef b1 = backup(null, null);
        String s1 = fx.sourceSnaps(v).get(0);
        String baseAtS1 = fx.sha(fx.backups, base(), s1);
        // What a kill mid-differential leaves: its snapshot on the source, part of a diff in the
        // base head, maybe its metadata object.
        String killed = fx.newBackupId();
        String killedSnap = SourceSnapshot.forBackup(killed, java.time.Instant.now()).name();
        try (RbdImage img = fx.volumes.openImage(ImageNames.volume(v))) {
            img.createSnapshot(killedSnap);
        }
        fx.write("backups", base(), 3 * MIB + 17, fx.randomBytes(300_000));
        fx.backups.writeObject(ImageNames.meta(killed), "{}".getBytes(StandardCharsets.UTF_8));
        assertFalse(baseAtS1.equals(fx.sha(fx.backups, base(), null)));

        driver.cleanupInterrupted(RbdFixture.ref(killed, v, null), () -> fx.live(v));
        assertEquals(List.of(s1), fx.sourceSnaps(v), "the rotation's one snapshot is all the source keeps");
        assertEquals(Map.of(base(), List.of(s1)), fx.backupImages(v));
        assertEquals(baseAtS1, fx.sha(fx.backups, base(), null), "the base head is back at S1");
        assertFalse(fx.backups.objectExists(ImageNames.meta(killed)));
        // Idempotent: a crash during the cleanup runs it again.
        driver.cleanupInterrupted(RbdFixture.ref(killed, v, null), () -> fx.live(v));

        fx.scribble(v, 10, 200_000);
        String sha2 = fx.volumeSha(v);
        BackupRef b2 = backup(null, null);
        assertEquals(b1.id(), b2.parentId(), "the chain goes on differentially");
        assertEquals(sha2, restoreIntoNew(b2));
    }

    @Test
    void deleteKilledAfterRemovingTheLastSnapshotIsFinishedWhenResumed() throws Exception {
        BackupRef b1 = backup(null, null);
        String s1 = fx.sourceSnaps(v).get(0);
        // The kill came between removing the base's last snapshot and removing the base.
        try (RbdImage img = fx.backups.openImage(base())) {
            img.removeSnapshot(s1);
        }
        driver.delete(b1);
        assertEquals(Map.of(), fx.backupImages(v), "the empty base goes with the resumed delete");
        assertFalse(fx.backups.objectExists(ImageNames.meta(b1.id())));
    }

    @Test
    void firstBackupKilledBeforeItsBaseSnapshotLeavesNothing() throws Exception {
        String killed = fx.newBackupId();
        try (RbdImage img = fx.volumes.openImage(ImageNames.volume(v))) {
            img.createSnapshot(SourceSnapshot.forBackup(killed, java.time.Instant.now()).name());
        }
        fx.backups.createImage(base(), SIZE);
        fx.track("backups", base());
        fx.write("backups", base(), 0, fx.randomBytes(100_000));
        // ...and a half-written full copy of another killed backup (an in-use source).
        String killedFull = fx.newBackupId();
        fx.backups.createImage(ImageNames.perBackup(v, killedFull), SIZE);
        fx.track("backups", ImageNames.perBackup(v, killedFull));

        driver.cleanupInterrupted(RbdFixture.ref(killed, v, null), () -> fx.live(v));
        driver.cleanupInterrupted(RbdFixture.ref(killedFull, v, null), () -> null);
        assertEquals(List.of(), fx.sourceSnaps(v));
        assertEquals(Map.of(), fx.backupImages(v));
    }

    @Test
    void failureMidCopyLeavesNothingBehind() throws Exception {
        ProgressListener boom = done -> {
            throw new IllegalStateException("injected failure at " + done);
        };
        // The first backup creates the base: after the failure neither base nor snapshot remain.
        BackupDriverException e = assertThrows(BackupDriverException.class, () -> backup(null, boom));
        assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
        assertEquals(Map.of(), fx.backupImages(v));
        assertEquals(List.of(), fx.sourceSnaps(v));

        BackupRef b1 = backup(null, null);
        String s1 = fx.sourceSnaps(v).get(0);
        String baseAtS1 = fx.sha(fx.backups, base(), s1);
        assertEquals(baseAtS1, fx.sha(fx.backups, base(), null));

        // An incremental fails after writing into the base: its snapshots go, the head is put back.
        fx.scribble(v, 10, 500_000);
        try (RbdImage img = fx.volumes.openImage(ImageNames.volume(v))) {
            img.writeZeroes(8 * MIB, 4 * MIB);
            img.resize(SIZE + 4 * MIB);
        }
        String sha2 = fx.volumeSha(v);
        String failedId = fx.newBackupId();
        try (RbdDevice dev = fx.live(v)) {
            assertThrows(BackupDriverException.class,
                    () -> driver.backup(RbdFixture.ref(failedId, v, null), null, dev, boom));
        }
        assertEquals(List.of(s1), fx.sourceSnaps(v));
        assertEquals(Map.of(base(), List.of(s1)), fx.backupImages(v));
        assertEquals(baseAtS1, fx.sha(fx.backups, base(), null), "the base head is back at S1");
        assertFalse(fx.backups.objectExists(ImageNames.meta(failedId)));

        // The next try works and restores exactly.
        BackupRef b2 = backup(null, null);
        assertEquals(b1.id(), b2.parentId());
        String other = fx.newVolume(SIZE + 4 * MIB);
        try (RbdDevice dev = fx.live(other)) {
            driver.restore(List.of(b2), dev, () -> false);
        }
        assertEquals(sha2, fx.volumeSha(other));

        // A full copy (in-use source) that fails leaves no image.
        String fullId = fx.newBackupId();
        try (RbdDevice dev = fx.temporaryClone(v)) {
            assertThrows(BackupDriverException.class,
                    () -> driver.backup(RbdFixture.ref(fullId, v, null), null, dev, boom));
        }
        assertFalse(fx.backupImages(v).containsKey(ImageNames.perBackup(v, fullId)));
        assertFalse(fx.backups.objectExists(ImageNames.meta(fullId)));
    }

    @Test
    void fileVolumesAreCopiedWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("volume.img");
        byte[] data = new byte[(int) (10 * MIB + 4096)];
        Random r = new Random(7);
        for (int i = 0; i < 40; i++) {
            int off = r.nextInt(data.length - 70_000);
            byte[] piece = new byte[1 + r.nextInt(70_000)];
            r.nextBytes(piece);
            System.arraycopy(piece, 0, data, off, piece.length);
        }
        java.nio.file.Files.write(file, data);
        BackupRef ref = RbdFixture.ref(fx.newBackupId(), v, null);
        BackupOutcome out;
        try (FileDevice dev = new FileDevice(file)) {
            out = driver.backup(ref, RbdFixture.ref(fx.newBackupId(), v, null), dev, null);
        }
        assertInstanceOf(BackupOutcome.ParentLink.Parent.class, out.parent());
        assertNull(((BackupOutcome.ParentLink.Parent) out.parent()).id());
        assertNull(out.serviceMetadata());
        assertEquals(Map.of(ImageNames.perBackup(v, ref.id()), List.of()), fx.backupImages(v));
        BackupRef stored = RbdFixture.stored(ref, out);

        Path back = dir.resolve("restored.img");
        java.nio.file.Files.write(back, new byte[data.length + 5000]);
        java.nio.file.Files.write(back, new byte[] {9, 9, 9}, StandardOpenOption.WRITE);
        try (FileDevice dev = new FileDevice(back)) {
            driver.restore(List.of(stored), dev, () -> false);
        }
        byte[] got = java.nio.file.Files.readAllBytes(back);
        assertEquals(sha(data, data.length), sha(got, data.length));
        for (int i = data.length; i < got.length; i++) {
            assertEquals(0, got[i]);
        }
        // Into an RBD volume too.
        String other = fx.newVolume(16 * MIB);
        try (RbdDevice dev = fx.live(other)) {
            driver.restore(List.of(stored), dev, () -> false);
        }
        try (RbdImage img = fx.volumes.openImageReadOnly(ImageNames.volume(other), null)) {
            assertEquals(sha(data, data.length), sha(img.read(0, data.length), data.length));
        }
        driver.delete(stored);
        assertEquals(Map.of(), fx.backupImages(v));
    }

    static String sha(byte[] b, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, 0, len);
        return HexFormat.of().formatHex(md.digest());
    }

    /** A file-backed volume, as the embedded profile has. */
    static final class FileDevice implements VolumeDevice {
        private final FileChannel ch;

        FileDevice(Path path) throws IOException {
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            return ch.read(dst, offset);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            long pos = offset;
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
        }

        @Override
        public void flush() throws IOException {
            ch.force(false);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
