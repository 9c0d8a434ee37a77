package dev.ember.driver.rbd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.ceph.CephException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.testing.GoldenData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.ember.driver.rbd.RbdFixture.MIB;
import static dev.ember.driver.rbd.RbdFixture.rbd;
import static dev.ember.driver.rbd.RbdFixture.sh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden Ceph backups written by Debian's real cinder-backup (Ceph driver, cinder 21.3.1 "Zed",
 * per-chain layout; see src/test/resources/golden/README.md): the base images are rebuilt in the
 * test cluster from (gzipped) {@code rbd export-diff} streams of cinder's base snapshots, under cinder's own
 * names, and the source volume from the same streams (its snapshots carry the same names). Ember
 * restores every backup to the bytes cinder backed up, extends cinder's chain, and deletes
 * cinder's backups (snapshots, base images, {@code .meta} objects).
 */
class RbdCinderGoldenTest {
    RbdFixture fx;
    RbdBackupDriver driver;
    GoldenData g;
    String vid;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RbdFixture();
        driver = fx.driver(BaseLayout.PER_CHAIN);
        g = GoldenData.load("ceph");
        vid = fx.adoptVolume(g.volumeId());
        // A run killed before its clean-up leaves the golden names behind: start clean.
        for (String image : fx.backups.listImages()) {
            if (image.startsWith(ImageNames.volume(vid) + ".")) {
                RbdFixture.removeQuietly(fx.backups, image);
            }
        }
        RbdFixture.removeQuietly(fx.volumes, ImageNames.volume(vid));
        for (int i = 0; i < g.count(); i++) {
            fx.adoptBackup(g.ref(i).id());
        }
    }

    @AfterEach
    void tearDown() {
        driver.close();
        fx.close();
    }

    /** Rebuilds cinder's base images (and .meta objects) and the source volume from the golden files. */
    private void importGolden() throws Exception {
        long size = g.expected.get("volume_bytes").asLong();
        Map<String, String> diffBySnap = new TreeMap<>();
        var bases = g.expected.get("bases");
        for (var it = bases.fields(); it.hasNext(); ) {
            var base = it.next();
            fx.backups.createImage(base.getKey(), base.getValue().get("size").asLong());
            for (JsonNode d : base.getValue().get("diffs")) {
                String file = g.dir.resolve(d.get("file").asText()).toString();
                sh("gzip -dc " + file + " | " + rbd() + " import-diff - backups/" + base.getKey());
                diffBySnap.put(d.get("to_snap").asText(), file);
            }
            List<String> want = new ArrayList<>();
            base.getValue().get("snapshots").forEach(s -> want.add(s.asText()));
            assertEquals(want, fx.snaps(fx.backups, base.getKey()), "snapshots of " + base.getKey());
        }
        // The source: cinder's snapshots on volume-<id> have the names of the base snapshots and the
        // same content; each chain's first stream is a whole-image diff, so replaying the streams
        // in the source's snapshot order rebuilds it.
        String vol = ImageNames.volume(vid);
        fx.volumes.createImage(vol, size);
        for (JsonNode s : g.expected.get("source_snapshots")) {
            String file = diffBySnap.get(s.asText());
            assertNotNull(file, "no stream for source snapshot " + s.asText());
            sh("gzip -dc " + file + " | " + rbd() + " import-diff - volumes/" + vol);
        }
        for (int i = 0; i < g.count(); i++) {
            JsonNode meta = g.backup(i).get("meta_object");
            if (meta != null && !meta.isNull()) {
                fx.backups.writeObject(meta.asText(), Files.readAllBytes(g.dir.resolve(meta.asText())));
            }
        }
    }

    /** Plain SHA-256 of an image (at a snapshot) over its whole size, as the generator computed it. */
    static String sha(Pool pool, String image, String snap) throws Exception {
        try (RbdImage img = pool.openImageReadOnly(image, snap)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long size = img.size();
            ByteBuffer buf = ByteBuffer.allocateDirect((int) (4 * MIB));
            for (long off = 0; off < size; off += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - off));
                img.read(off, buf);
                buf.flip();
                md.update(buf);
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }

    static byte[] read(Pool pool, String image, long off, int len) throws CephException {
        try (RbdImage img = pool.openImageReadOnly(image, null)) {
            ByteBuffer buf = ByteBuffer.allocate(len);
            img.read(off, buf);
            return buf.array();
        }
    }

    /** The restored volume holds, at every region the plan wrote, the regenerated bytes, and the recorded SHA-256. */
    private void assertVolume(String volumeId, int steps, String expectedSha, List<GoldenData.Write> extra,
                              String what) throws Exception {
        String image = ImageNames.volume(volumeId);
        long size;
        try (RbdImage img = fx.volumes.openImageReadOnly(image, null)) {
            size = img.size();
        }
        List<GoldenData.Write> regions = new ArrayList<>(g.writes(steps));
        regions.addAll(extra);
        for (GoldenData.Write w : regions) {
            long from = Math.max(0, w.offset() - 4096);
            int len = w.length() + 8192;
            byte[] want = g.content(steps, from, len);
            for (GoldenData.Write x : extra) {
                long lo = Math.max(x.offset(), from);
                long hi = Math.min(x.offset() + x.length(), from + len);
                if (lo < hi) {
                    byte[] p = GoldenData.pattern(x.kind(), x.seed(), x.length());
                    System.arraycopy(p, (int) (lo - x.offset()), want, (int) (lo - from), (int) (hi - lo));
                }
            }
            byte[] got = read(fx.volumes, image, from, (int) Math.min(len, size - from));
            want = java.util.Arrays.copyOf(want, got.length);
            long d = GoldenData.firstDifference(want, got);
            assertEquals(-1, d, what + ": first differing byte near the write at " + w.offset() + " (region from "
                    + from + ")");
        }
        if (expectedSha != null) {
            assertEquals(expectedSha, sha(fx.volumes, image, null), what + ": SHA-256 of the whole volume");
        }
    }

    private String restoreIntoNew(BackupRef ref, boolean dirty) throws Exception {
        String other = fx.newVolume(g.expected.get("volume_bytes").asLong());
        if (dirty) {
            fx.scribble(other, 5, 100_000);
        }
        try (RbdDevice dev = fx.live(other)) {
            driver.restore(List.of(ref), dev, () -> false);
        }
        return other;
    }

    @Test
    void cinderPerChainBackupsRestoreExtendAndDelete() throws Exception {
        importGolden();
        assertEquals(5, g.count());
        // The two chains as cinder recorded them.
        String chain1 = ImageNames.perBackup(vid, g.ref(0).id());
        String chain2 = ImageNames.perBackup(vid, g.ref(3).id());
        for (int i = 0; i < g.count(); i++) {
            BackupRef b = g.ref(i);
            assertEquals("backups", b.container());
            assertEquals(ServiceMetadata.of(i < 3 ? chain1 : chain2), b.serviceMetadata(), "service_metadata " + i);
            JsonNode e = g.backup(i);
            // what the streams rebuilt is what cinder had (checked against the generator's SHA-256)
            assertEquals(e.get("volume_sha256").asText(), sha(fx.backups, e.get("base").asText(),
                    e.get("snapshot").asText()), "base snapshot of " + e.get("name"));
        }
        assertEquals(Map.of(chain1, fx.snaps(fx.backups, chain1), chain2, fx.snaps(fx.backups, chain2)),
                fx.backupImages(vid));

        // Every golden backup restores into a new volume (differential copy of the allocated extents).
        for (int i = 0; i < g.count(); i++) {
            JsonNode e = g.backup(i);
            String restored = restoreIntoNew(g.ref(i), false);
            assertVolume(restored, e.get("plan_steps").asInt(), e.get("volume_sha256").asText(), List.of(),
                    "restore of " + e.get("name").asText());
        }
        // Onto a used volume (full copy, zeros written where cinder's image has none).
        String dirty = restoreIntoNew(g.ref(1), true);
        assertVolume(dirty, g.backup(1).get("plan_steps").asInt(), g.backup(1).get("volume_sha256").asText(),
                List.of(), "restore of chain1-incr1 onto a used volume");

        // Ember extends cinder's second chain from the source's snapshot of chain2-incr1.
        BackupRef top = g.ref(4);
        GoldenData.Write w = new GoldenData.Write(300 * MIB + 12_345, 70_000, "random", 61);
        fx.write("volumes", ImageNames.volume(vid), w.offset(), GoldenData.pattern(w.kind(), w.seed(), w.length()));
        BackupRef ref = new BackupRef(fx.newBackupId(), vid, 1, null, null, "ember-on-cinder", "",
                LocalDateTime.now(), top.id());
        BackupRef next;
        try (RbdDevice dev = fx.live(vid)) {
            BackupOutcome out = driver.backup(ref, top, dev, null);
            next = RbdFixture.stored(ref, out);
        }
        assertEquals(top.id(), next.parentId(), "an incremental on cinder's chain, not a new full");
        assertEquals(ServiceMetadata.of(chain2), next.serviceMetadata());
        assertEquals(3, fx.snaps(fx.backups, chain2).size());
        String restored = restoreIntoNew(next, false);
        assertVolume(restored, 5, null, List.of(w), "restore of Ember's incremental on cinder's chain");
        assertEquals(sha(fx.volumes, ImageNames.volume(vid), null), sha(fx.volumes, ImageNames.volume(restored), null));

        // Delete from the top with Ember: snapshots, then each base with its full backup, and the .meta objects.
        driver.delete(next);
        driver.delete(g.ref(4));
        assertEquals(List.of(g.backup(3).get("snapshot").asText()), fx.snaps(fx.backups, chain2));
        driver.delete(g.ref(3));
        assertFalse(fx.backups.imageExists(chain2));
        driver.delete(g.ref(2));
        driver.delete(g.ref(1));
        assertEquals(List.of(g.backup(0).get("snapshot").asText()), fx.snaps(fx.backups, chain1));
        driver.delete(g.ref(0));
        assertEquals(Map.of(), fx.backupImages(vid));
        for (int i = 0; i < g.count(); i++) {
            assertFalse(fx.backups.objectExists(ImageNames.meta(g.ref(i).id())), "meta object of backup " + i);
        }
        assertTrue(fx.volumes.imageExists(ImageNames.volume(vid)), "the source volume is not the driver's to delete");
    }

    @Test
    void goldenDataRegenerates() {
        // The Java generator matches golden.py's: the recorded SHA-256 of the posix set's first state.
        GoldenData p = GoldenData.load("posix/none");
        int size = p.expected.get("volume_data_bytes").asInt();
        for (int i = 0; i < p.count(); i++) {
            assertEquals(p.backup(i).get("volume_sha256").asText(),
                    GoldenData.hex(GoldenData.sha256(p.content(p.backup(i).get("plan_steps").asInt(), 0, size))));
        }
        assertArrayEquals(GoldenData.pattern("text", 1, 41),
                "golden 1 line 000000 the quick brown fox\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
