package dev.ember.driver.rbd;

import dev.ember.ceph.RbdImage;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.ember.driver.rbd.RbdFixture.MIB;
import static dev.ember.driver.rbd.RbdFixture.rbd;
import static dev.ember.driver.rbd.RbdFixture.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-chain layout (cinder Train+): Ember writing it, and Ember reading, extending and
 * deleting chains that cinder's export-diff/import-diff pipe wrote, located through
 * {@code service_metadata {"base": ...}}.
 */
class RbdPerChainTest {
    static final long SIZE = 24 * MIB;

    RbdFixture fx;
    RbdBackupDriver driver;
    String v;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RbdFixture();
        driver = fx.driver(BaseLayout.PER_CHAIN);
        v = fx.newVolume(SIZE);
        fx.scribble(v, 20, (int) MIB);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        fx.close();
    }

    BackupRef backup(BackupRef parent) throws Exception {
        fx.scribble(v, 5, 200_000);
        BackupRef ref = RbdFixture.ref(fx.newBackupId(), v, parent == null ? null : parent.id());
        try (RbdDevice dev = fx.live(v)) {
            return RbdFixture.stored(ref, driver.backup(ref, parent, dev, null));
        }
    }

    String restoreIntoNew(BackupRef ref, boolean dirty) throws Exception {
        String other = fx.newVolume(SIZE);
        if (dirty) {
            fx.scribble(other, 5, 100_000);
        }
        try (RbdDevice dev = fx.live(other)) {
            driver.restore(List.of(ref), dev, () -> false);
        }
        return fx.volumeSha(other);
    }

    String lastSnap(String image) throws Exception {
        List<String> s = fx.snaps(fx.backups, image);
        return s.get(s.size() - 1);
    }

    @Test
    void chainsOfTheirOwn() throws Exception {
        BackupRef b1 = backup(null);
        String sha1 = fx.sha(fx.volumes, ImageNames.volume(v), fx.sourceSnaps(v).get(0));
        String chain1 = ImageNames.perBackup(v, b1.id());
        assertEquals(ServiceMetadata.of(chain1), b1.serviceMetadata());
        assertNull(b1.parentId());
        String s1 = lastSnap(chain1);
        assertTrue(s1.startsWith("backup." + b1.id() + ".snap."));
        assertEquals(List.of(s1), fx.sourceSnaps(v));

        BackupRef b2 = backup(b1);
        String sha2 = fx.sha(fx.volumes, ImageNames.volume(v), fx.sourceSnaps(v).get(0));
        assertEquals(b1.id(), b2.parentId());
        assertEquals(ServiceMetadata.of(chain1), b2.serviceMetadata());
        String s2 = lastSnap(chain1);
        assertEquals(List.of(s2), fx.sourceSnaps(v));
        BackupRef b3 = backup(b2);
        String sha3 = fx.sha(fx.volumes, ImageNames.volume(v), fx.sourceSnaps(v).get(0));
        assertEquals(b2.id(), b3.parentId());
        String s3 = lastSnap(chain1);
        assertEquals(Map.of(chain1, List.of(s1, s2, s3)), fx.backupImages(v));

        // A new full backup starts a chain of its own.
        BackupRef b4 = backup(null);
        String chain4 = ImageNames.perBackup(v, b4.id());
        assertNull(b4.parentId());
        assertEquals(ServiceMetadata.of(chain4), b4.serviceMetadata());
        String s4 = lastSnap(chain4);
        assertEquals(List.of(s4), fx.sourceSnaps(v));
        // An incremental to b3, whose snapshot the source no longer has, becomes a new chain too.
        BackupRef b5 = backup(b3);
        assertNull(b5.parentId());
        String chain5 = ImageNames.perBackup(v, b5.id());
        assertEquals(Map.of(chain1, List.of(s1, s2, s3), chain4, List.of(s4), chain5, List.of(lastSnap(chain5))),
                fx.backupImages(v));

        assertEquals(sha1, restoreIntoNew(b1, false));
        assertEquals(sha2, restoreIntoNew(b2, true));
        assertEquals(sha3, restoreIntoNew(b3, false));

        // Delete from the top: the chain's base goes with its full backup.
        driver.delete(b3);
        driver.delete(b2);
        assertEquals(List.of(s1), fx.snaps(fx.backups, chain1));
        driver.delete(b1);
        driver.delete(b5);
        assertEquals(Map.of(chain4, List.of(s4)), fx.backupImages(v));
        driver.delete(b4);
        assertEquals(Map.of(), fx.backupImages(v));
    }

    @Test
    void cinderZedChainsAreRestoredExtendedAndDeleted() throws Exception {
        // What cinder Zed leaves: base volume-V.backup.<full> filled by export-diff | import-diff,
        // the incremental as a second snapshot on it, both snapshots kept on the source.
        String vol = ImageNames.volume(v);
        String full = fx.newBackupId();
        String incr = fx.newBackupId();
        String base = ImageNames.perBackup(v, full);
        String sf = "backup." + full + ".snap.1714557600.1234567";
        String si = "backup." + incr + ".snap.1714561200.7654321";
        String r = rbd();
        sh(r + " snap create volumes/" + vol + "@" + sf);
        String shaFull = fx.sha(fx.volumes, vol, sf);
        sh(r + " create --size " + (SIZE / MIB) + "M backups/" + base);
        sh(r + " export-diff --pool volumes volumes/" + vol + "@" + sf + " - | " + r
                + " import-diff --pool backups - backups/" + base);
        fx.scribble(v, 8, 300_000);
        sh(r + " snap create volumes/" + vol + "@" + si);
        String shaIncr = fx.sha(fx.volumes, vol, si);
        sh(r + " export-diff --from-snap " + sf + " volumes/" + vol + "@" + si + " - | " + r
                + " import-diff - backups/" + base);
        String meta = "{\"base\": \"" + base + "\"}";
        BackupRef fullRef = new BackupRef(full, v, 1, "backups", meta, "full", "", null, null);
        BackupRef incrRef = new BackupRef(incr, v, 1, "backups", meta, "incr", "", null, full);

        assertEquals(shaIncr, restoreIntoNew(incrRef, false)); // differential restore
        assertEquals(shaFull, restoreIntoNew(fullRef, true));  // full copy onto a used volume
        try (RbdDevice dev = fx.live(v)) {                    // onto its own volume: full copy
            driver.restore(List.of(fullRef, incrRef), dev, () -> false);
        }
        assertEquals(shaIncr, fx.volumeSha(v));
        assertEquals(List.of(sf, si), fx.sourceSnaps(v));

        // Ember continues the chain from the incremental's snapshot.
        BackupRef next = backup(incrRef);
        String shaNext = fx.sha(fx.volumes, vol, fx.sourceSnaps(v).get(0));
        assertEquals(incr, next.parentId());
        assertEquals(ServiceMetadata.of(base), next.serviceMetadata());
        List<String> onBase = fx.snaps(fx.backups, base);
        assertEquals(3, onBase.size());
        assertEquals(List.of(onBase.get(2)), fx.sourceSnaps(v), "older snapshots leave the source");
        assertEquals(shaNext, restoreIntoNew(next, false));

        driver.delete(next);
        driver.delete(incrRef);
        assertEquals(Map.of(base, List.of(sf)), fx.backupImages(v));
        driver.delete(fullRef);
        assertEquals(Map.of(), fx.backupImages(v));
    }

    @Test
    void protectedSnapshotsAreUnprotectedOnDelete() throws Exception {
        BackupRef b1 = backup(null);
        BackupRef b2 = backup(b1);
        String chain = ImageNames.perBackup(v, b1.id());
        try (RbdImage img = fx.backups.openImage(chain)) {
            img.protectSnapshot(lastSnap(chain));
        }
        driver.delete(b2);
        assertEquals(1, fx.snaps(fx.backups, chain).size());
        driver.delete(b1);
        assertEquals(Map.of(), fx.backupImages(v));
    }
}
