package dev.ember.driver.rbd;

import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.ember.driver.rbd.RbdFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed lab (seed-lab-scenario.md) on the real cluster at the driver level, single-base
 * layout: the test plays the manager (volume, writes, in-use backups through a temporary copy,
 * restores onto the volume) and checks after every step the backups pool, the snapshots on the
 * base and on the source, the parent links, and that each restore gives back exactly the data
 * the volume held when that backup was taken.
 */
class RbdDriverLabTest {
    static final long SIZE = 48 * MIB;

    RbdFixture fx;
    RbdBackupDriver driver;
    String v;
    final Map<String, String> ids = new HashMap<>();      // lab name → backup id
    final Map<String, BackupRef> refs = new HashMap<>();  // lab name → stored backup
    final Map<String, String> shaAt = new HashMap<>();    // lab name → volume sha at backup time
    final Map<String, String> snapOf = new HashMap<>();   // lab name → backup snapshot name

    @BeforeEach
    void setUp() throws Exception {
        fx = new RbdFixture();
        driver = fx.driver(BaseLayout.SINGLE_BASE);
        v = fx.newVolume(SIZE);
        fx.scribble(v, 40, (int) (2 * MIB));
    }

    @AfterEach
    void tearDown() {
        driver.close();
        fx.close();
    }

    String id(String name) {
        return ids.computeIfAbsent(name, n -> fx.newBackupId());
    }

    String img(String name) {
        return ImageNames.perBackup(v, id(name));
    }

    String base() {
        return ImageNames.legacyBase(v);
    }

    /** Takes a backup; returns the parent the driver reports (null for a full copy). */
    String backup(String name, boolean inUse, String requestedParent) throws Exception {
        fx.scribble(v, 5, 300_000); // the user keeps writing between backups
        shaAt.put(name, fx.volumeSha(v));
        BackupRef ref = RbdFixture.ref(id(name), v, requestedParent == null ? null : id(requestedParent));
        BackupOutcome out;
        try (RbdDevice dev = inUse ? fx.temporaryClone(v) : fx.live(v)) {
            out = driver.backup(ref, requestedParent == null ? null : refs.get(requestedParent), dev, null);
        }
        assertEquals("backups", out.container());
        assertEquals(0, out.objectCount());
        BackupRef stored = RbdFixture.stored(ref, out);
        refs.put(name, stored);
        assertTrue(fx.backups.objectExists(ImageNames.meta(id(name))), "meta object of " + name);
        String parentId = ((BackupOutcome.ParentLink.Parent) out.parent()).id();
        if (out.serviceMetadata() != null) {
            assertEquals(ServiceMetadata.of(base()), out.serviceMetadata());
            List<String> baseSnaps = fx.snaps(fx.backups, base());
            snapOf.put(name, baseSnaps.get(baseSnaps.size() - 1));
        }
        for (Map.Entry<String, String> e : ids.entrySet()) {
            if (e.getValue().equals(parentId)) {
                return e.getKey();
            }
        }
        assertNull(parentId);
        return null;
    }

    /** Restores onto the volume itself (the lab's restores) and checks the data. */
    void restoreOntoVolume(String name) throws Exception {
        TreeMap<String, List<String>> before = fx.backupImages(v);
        List<String> sourceBefore = fx.sourceSnaps(v);
        fx.scribble(v, 5, 100_000);
        try (RbdDevice dev = fx.live(v)) {
            driver.restore(List.of(refs.get(name)), dev, () -> false);
        }
        assertEquals(shaAt.get(name), fx.volumeSha(v), "restore of " + name);
        assertEquals(before, fx.backupImages(v), "a restore changes nothing in the backups pool");
        assertEquals(sourceBefore, fx.sourceSnaps(v), "a restore changes no snapshot of the source");
    }

    List<String> snaps(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(n.startsWith("snapshot-") ? n : snapOf.get(n));
        }
        return out;
    }

    void expectPool(Object... imageAndSnaps) throws Exception {
        TreeMap<String, List<String>> expected = new TreeMap<>();
        for (int i = 0; i < imageAndSnaps.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> s = (List<String>) imageAndSnaps[i + 1];
            expected.put((String) imageAndSnaps[i], s);
        }
        assertEquals(expected, fx.backupImages(v));
    }

    @Test
    void theLabStepByStep() throws Exception {
        // 1a: full --force of an in-use volume: a temporary clone → full copy, no snapshots.
        assertNull(backup("b01", true, null));
        expectPool(img("b01"), List.of());
        assertEquals(List.of(), fx.sourceSnaps(v));
        assertNull(refs.get("b01").serviceMetadata());
        // 1b: a cinder snapshot of the volume.
        try (var image = fx.volumes.openImage(ImageNames.volume(v))) {
            image.createSnapshot("snapshot-s1");
        }
        // 1c: --incremental --force: full copy again, stored as a full (driver says no parent).
        assertNull(backup("b02i", true, "b01"));
        assertNull(refs.get("b02i").parentId());
        // 1d
        assertNull(backup("b02", true, null));
        expectPool(img("b01"), List.of(), img("b02i"), List.of(), img("b02"), List.of());
        assertEquals(List.of("snapshot-s1"), fx.sourceSnaps(v));

        // 2a: restore b01 → V (full copy from its image).
        restoreOntoVolume("b01");
        // 2b: available volume, no base: the base is created with S03.
        assertNull(backup("b03", false, null));
        expectPool(img("b01"), List.of(), img("b02i"), List.of(), img("b02"), List.of(), base(), snaps("b03"));
        assertEquals(snaps("snapshot-s1", "b03"), fx.sourceSnaps(v));
        // 2c, 2d: differentials with hidden parent links; the source keeps one backup snapshot.
        assertEquals("b03", backup("b04", false, null));
        assertEquals(snaps("b03", "b04"), fx.snaps(fx.backups, base()));
        assertEquals(snaps("snapshot-s1", "b04"), fx.sourceSnaps(v));
        assertEquals("b04", backup("b05", false, null));
        assertEquals(snaps("b03", "b04", "b05"), fx.snaps(fx.backups, base()));
        assertEquals(snaps("snapshot-s1", "b05"), fx.sourceSnaps(v));

        // 3a: restore b02 (full image); the user removes the cinder snapshot.
        restoreOntoVolume("b02");
        try (var image = fx.volumes.openImage(ImageNames.volume(v))) {
            image.removeSnapshot("snapshot-s1");
        }
        // 3b
        assertEquals("b05", backup("b06", false, null));
        assertEquals(snaps("b06"), fx.sourceSnaps(v));
        assertEquals(snaps("b03", "b04", "b05", "b06"), fx.snaps(fx.backups, base()));

        // 4a: restore b04 onto its own volume: a full copy from base@S04.
        restoreOntoVolume("b04");
        // 4b: in-use backup with the base present: separate image, base and S06 untouched.
        assertNull(backup("b07", true, null));
        assertEquals(snaps("b03", "b04", "b05", "b06"), fx.snaps(fx.backups, base()));
        assertEquals(snaps("b06"), fx.sourceSnaps(v));

        // 5a..5d
        restoreOntoVolume("b05");
        assertEquals("b06", backup("b08", false, null));
        assertEquals(snaps("b08"), fx.sourceSnaps(v));
        restoreOntoVolume("b02i");
        assertEquals("b08", backup("b09", false, null));

        // Final state of the lab.
        expectPool(img("b01"), List.of(), img("b02i"), List.of(), img("b02"), List.of(), img("b07"), List.of(),
                base(), snaps("b03", "b04", "b05", "b06", "b08", "b09"));
        assertEquals(snaps("b09"), fx.sourceSnaps(v));
        Map<String, String> links = new TreeMap<>();
        refs.forEach((n, r) -> {
            if (r.parentId() != null) {
                ids.forEach((k, id) -> {
                    if (id.equals(r.parentId())) {
                        links.put(n, k);
                    }
                });
            }
        });
        assertEquals(Map.of("b04", "b03", "b05", "b04", "b06", "b05", "b08", "b06", "b09", "b08"), links);

        // Every backup restores to its data, also into other volumes: empty (differential) or not.
        for (String name : List.of("b01", "b02i", "b02", "b03", "b04", "b05", "b06", "b07", "b08", "b09")) {
            String other = fx.newVolume(SIZE + 8 * MIB);
            if (name.hashCode() % 2 == 0) {
                fx.scribble(other, 3, 100_000);
            }
            try (RbdDevice dev = fx.live(other)) {
                driver.restore(List.of(refs.get(name)), dev, () -> false);
            }
            try (var image = fx.volumes.openImageReadOnly(ImageNames.volume(other), null)) {
                assertEquals(SIZE + 8 * MIB, image.size(), "the target keeps its size");
                assertTrue(RbdBackupDriverTestSupport.readsZeros(image, SIZE, 8 * MIB), "excess of " + name + " is zero");
            }
            assertEquals(shaAt.get(name), RbdBackupDriverTestSupport.prefixSha(fx.volumes, ImageNames.volume(other), SIZE),
                    "restore of " + name + " into another volume");
            assertTrue(fx.sourceSnaps(other).isEmpty(), "no snapshot left on the restore target");
        }

        // Deleting: b09 loses only its snapshot; b07 its image; the base goes with its last snapshot.
        driver.delete(refs.get("b09"));
        assertEquals(snaps("b03", "b04", "b05", "b06", "b08"), fx.snaps(fx.backups, base()));
        assertFalse(fx.backups.objectExists(ImageNames.meta(id("b09"))));
        driver.delete(refs.get("b07"));
        assertFalse(fx.backupImages(v).containsKey(img("b07")));
        for (String name : List.of("b08", "b06", "b05", "b04")) {
            driver.delete(refs.get(name));
            assertTrue(fx.backupImages(v).containsKey(base()));
        }
        driver.delete(refs.get("b03"));
        expectPool(img("b01"), List.of(), img("b02i"), List.of(), img("b02"), List.of());
        for (String name : List.of("b02", "b02i", "b01")) {
            driver.delete(refs.get(name));
        }
        expectPool();
        driver.delete(refs.get("b01")); // again: nothing left is fine
        for (String name : ids.keySet()) {
            assertFalse(fx.backups.objectExists(ImageNames.meta(id(name))), "meta of " + name);
        }
    }
}
