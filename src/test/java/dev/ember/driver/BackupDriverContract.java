package dev.ember.driver;

import dev.ember.device.VolumeDevice;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promises of {@link BackupDriver} (and of {@link ProgressListener.Stop}), checked the same
 * way for every driver through a {@link DriverHarness}. A driver's test extends this class and
 * answers {@link #harness()}; what only one driver does stays in that driver's own tests.
 */
public abstract class BackupDriverContract {

    protected static final long MIB = 1 << 20;
    /** Several RBD chunks and many chunked objects, yet quick on a busy machine. */
    protected static final long SIZE = 12 * MIB;

    protected DriverHarness h;
    protected BackupDriver driver;
    private final Random random = new Random(12);

    /** A new harness for one test. */
    protected abstract DriverHarness harness() throws Exception;

    @BeforeEach
    void openHarness() throws Exception {
        h = harness();
        driver = h.driver();
    }

    @AfterEach
    void closeHarness() throws Exception {
        h.close();
    }

    // ------------------------------------------------------------------ helpers ---

    /** A volume of {@link #SIZE} random bytes (data everywhere, so no part can be left out as zeros). */
    protected String filledVolume() throws Exception {
        String v = h.newVolume(SIZE);
        h.write(v, 0, bytes((int) SIZE));
        return v;
    }

    protected byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Changes a few ranges of the volume, one of them across an RBD chunk and a chunked object boundary. */
    protected void change(String volumeId) throws Exception {
        h.write(volumeId, 4096, bytes(10_000));
        h.write(volumeId, 8 * MIB - 3000, bytes(6000));
        h.write(volumeId, SIZE - 512, bytes(512));
    }

    /** Backs up with {@code d} and answers the ref as the manager records it afterwards. */
    protected BackupRef backup(BackupDriver d, BackupRef ref, BackupRef parent, ProgressListener progress)
            throws Exception {
        try (VolumeDevice dev = h.open(ref.volumeId())) {
            BackupOutcome out = d.backup(ref, parent, dev, progress);
            String parentId = out.parent() instanceof BackupOutcome.ParentLink.Parent p ? p.id() : ref.parentId();
            // As the backups row has it: the volume metadata lives in the store only.
            return new BackupRef(ref.id(), ref.volumeId(), ref.sizeGb(), out.container(), out.serviceMetadata(),
                    ref.displayName(), ref.displayDescription(), ref.createdAt(), parentId);
        }
    }

    protected BackupRef full(String volumeId) throws Exception {
        return backup(driver, h.ref(volumeId, null), null, ProgressListener.NONE);
    }

    protected BackupRef incremental(BackupRef parent) throws Exception {
        return backup(driver, h.ref(parent.volumeId(), parent.id()), parent, ProgressListener.NONE);
    }

    /** Restores {@code chain} onto a new volume of {@code size} bytes; answers that volume. */
    protected String restoreOntoNew(List<BackupRef> chain, long size) throws Exception {
        String target = h.newVolume(size);
        try (VolumeDevice dev = h.open(target)) {
            driver.restore(chain, dev, () -> false);
            dev.flush();
        }
        return target;
    }

    /** sha256 of {@code [offset, offset+length)} of the volume. */
    protected String sha(String volumeId, long offset, long length) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (VolumeDevice dev = h.open(volumeId)) {
            ByteBuffer buf = ByteBuffer.allocate((int) MIB);
            for (long off = offset; off < offset + length; ) {
                buf.clear().limit((int) Math.min(buf.capacity(), offset + length - off));
                int n = dev.read(off, buf);
                assertTrue(n > 0, "the volume ends before " + (offset + length));
                buf.flip();
                md.update(buf);
                off += n;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** sha256 of {@code length} zero bytes. */
    protected static String zerosSha(long length) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] zeros = new byte[(int) MIB];
        for (long done = 0; done < length; done += zeros.length) {
            md.update(zeros, 0, (int) Math.min(zeros.length, length - done));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    protected String sha(String volumeId) throws Exception {
        try (VolumeDevice dev = h.open(volumeId)) {
            return sha(volumeId, 0, dev.size());
        }
    }

    protected long size(String volumeId) throws Exception {
        try (VolumeDevice dev = h.open(volumeId)) {
            return dev.size();
        }
    }

    protected SortedSet<String> backend() throws Exception {
        SortedSet<String> out = new TreeSet<>();
        for (String s : h.stored()) {
            if (s.startsWith("backend:")) {
                out.add(s);
            }
        }
        return out;
    }

    // -------------------------------------------------------------------- promises ---

    @Test
    void serviceNameIsACinderDriverClassPath() {
        assertTrue(driver.serviceName().startsWith("cinder.backup.drivers."), driver.serviceName());
    }

    @Test
    void fullBackupRestoresBitIdenticalAndLeavesTheSourceAlone() throws Exception {
        String v = filledVolume();
        String before = sha(v);
        BackupRef full = full(v);
        assertEquals(before, sha(v), "a backup only reads the source's data");
        String target = restoreOntoNew(List.of(full), SIZE);
        assertEquals(before, sha(target));
    }

    @Test
    void incrementalChainRestoresEachPointInTime() throws Exception {
        String v = filledVolume();
        String at1 = sha(v);
        BackupRef full = full(v);
        change(v);
        String at2 = sha(v);
        assertFalse(at1.equals(at2));
        BackupRef inc = incremental(full);
        assertEquals(full.id(), inc.parentId(), "the incremental depends on the full");
        assertEquals(at2, sha(restoreOntoNew(List.of(full, inc), SIZE)), "the chain restores the latest point");
        assertEquals(at1, sha(restoreOntoNew(List.of(full), SIZE)), "the full still restores its own point");
    }

    @Test
    void smallerTargetIsRefusedAndLeftUntouched() throws Exception {
        String v = filledVolume();
        BackupRef full = full(v);
        String small = h.newVolume(SIZE - 4 * MIB);
        h.write(small, 1000, bytes(5000));
        String before = sha(small);
        try (VolumeDevice dev = h.open(small)) {
            assertThrows(BackupDriverException.class, () -> driver.restore(List.of(full), dev, () -> false));
        }
        assertEquals(before, sha(small));
    }

    @Test
    void largerTargetGetsTheDataAndZerosAfterIt() throws Exception {
        String v = filledVolume();
        String data = sha(v);
        BackupRef full = full(v);
        long extra = 4 * MIB;
        String big = h.newVolume(SIZE + extra);
        h.write(big, 0, bytes((int) (SIZE + extra)));
        try (VolumeDevice dev = h.open(big)) {
            driver.restore(List.of(full), dev, () -> false);
            dev.flush();
        }
        assertEquals(SIZE + extra, size(big), "a restore never resizes its target");
        assertEquals(data, sha(big, 0, SIZE));
        assertEquals(zerosSha(extra), sha(big, SIZE, extra), "the target's tail past the data reads as zeros");
    }

    @Test
    void cancelledRestoreStops() throws Exception {
        String v = filledVolume();
        BackupRef full = full(v);
        String target = h.newVolume(SIZE);
        try (VolumeDevice dev = h.open(target)) {
            assertThrows(BackupDriverException.Cancelled.class, () -> driver.restore(List.of(full), dev, () -> true));
        }
    }

    @Test
    void backupStoppedByItsListenerIsCancelledAndLeavesNothing() throws Exception {
        String v = filledVolume();
        SortedSet<String> before = h.stored();
        ProgressListener stop = done -> {
            throw new ProgressListener.Stop("stopped by the contract test at " + done);
        };
        assertThrows(BackupDriverException.Cancelled.class, () -> backup(driver, h.ref(v, null), null, stop));
        assertEquals(before, h.stored());

        BackupRef full = full(v);
        SortedSet<String> afterFull = h.stored();
        change(v);
        assertThrows(BackupDriverException.Cancelled.class,
                () -> backup(driver, h.ref(v, full.id()), full, stop));
        assertEquals(afterFull, h.stored(), "a stopped incremental leaves its parent as it was");
    }

    @Test
    void failureMidWriteLeavesNothing() throws Exception {
        String v = filledVolume();
        String at1 = sha(v);
        SortedSet<String> before = h.stored();
        assertThrows(BackupDriverException.class,
                () -> backup(h.failingMidWrite(), h.ref(v, null), null, ProgressListener.NONE));
        assertEquals(before, h.stored(), "a failed full backup leaves nothing");

        BackupRef full = full(v);
        SortedSet<String> afterFull = h.stored();
        change(v);
        String at2 = sha(v);
        assertThrows(BackupDriverException.class,
                () -> backup(h.failingMidWrite(), h.ref(v, full.id()), full, ProgressListener.NONE));
        assertEquals(afterFull, h.stored(), "a failed incremental leaves only its parent's data");
        assertEquals(at1, sha(restoreOntoNew(List.of(full), SIZE)));

        BackupRef inc = incremental(full);
        assertEquals(at2, sha(restoreOntoNew(List.of(full, inc), SIZE)), "the next try works");
    }

    @Test
    void deleteOfMissingDataSucceeds() throws Exception {
        String v = filledVolume();
        SortedSet<String> before = h.stored();
        BackupRef never = h.ref(v, null);
        driver.delete(never);
        driver.delete(never);
        assertEquals(before, h.stored());
    }

    @Test
    void deleteFromTheTopKeepsTheParentAndFinallyLeavesNothing() throws Exception {
        String v = filledVolume();
        String at1 = sha(v);
        BackupRef full = full(v);
        change(v);
        BackupRef inc = incremental(full);
        SortedSet<String> withBoth = backend();

        driver.delete(inc);
        assertTrue(withBoth.containsAll(backend()) && !withBoth.equals(backend()), "the incremental's data went");
        assertEquals(at1, sha(restoreOntoNew(List.of(full), SIZE)), "its parent's data stays whole");
        driver.delete(inc); // again: its data is missing now, which is fine

        driver.delete(full);
        assertEquals(new TreeSet<>(), backend(), "nothing of either backup remains in the store");
    }

    @Test
    void volumeMetadataComesBackWithTheBackup() throws Exception {
        String v = filledVolume();
        String meta = "{\"version\": 2, \"volume-base-metadata\": {\"purpose\": \"contract\"}}";
        BackupRef withMeta = backup(driver, h.ref(v, null).withVolumeMeta(meta), null, ProgressListener.NONE);
        assertEquals(List.of(meta), driver.volumeMetadata(List.of(withMeta)), "read back from the store");
    }

    @Test
    void stopAfterTheLastProgressStillLeavesNothing() throws Exception {
        String v = filledVolume();
        SortedSet<String> before = h.stored();
        AtomicBoolean stopped = new AtomicBoolean();
        ProgressListener stopAtEnd = done -> {
            if (done >= SIZE && stopped.compareAndSet(false, true)) {
                throw new ProgressListener.Stop("stopped at the end");
            }
        };
        assertThrows(BackupDriverException.Cancelled.class, () -> backup(driver, h.ref(v, null), null, stopAtEnd));
        assertTrue(stopped.get(), "progress reached the volume's size");
        assertEquals(before, h.stored());
    }
}
