package dev.ember.driver.rbd;

import dev.ember.ceph.RbdImage;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.SiblingBackups;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static dev.ember.driver.rbd.RbdFixture.MIB;
import static dev.ember.driver.rbd.RbdFixture.rbd;
import static dev.ember.driver.rbd.RbdFixture.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * cinder-tempest-plugin's {@code test_incremental_backup_respective_parents} at the driver level
 * on the real cluster, in both layouts: on one volume an admin full, a user full, an admin
 * incremental (parent: the admin's full) and a user incremental (parent: the user's full), the
 * parents as cinder-api chooses them and the projects' backups as the manager reports them. Each
 * incremental diffs from its own parent (the recorded parent is the requested one), each
 * project's newest snapshot stays on the source, and every backup restores to the SHA-256 the
 * volume had when it was taken: with Ember's differential and full restores, and with cinder's
 * own differential restore command ({@code rbd export-diff <base>@<snap> | rbd import-diff}).
 * Then the chains are deleted from the top and nothing of the volume is left in the pool.
 */
class RbdRespectiveParentsTest {
    static final long SIZE = 32 * MIB;

    RbdFixture fx;
    RbdBackupDriver driver;
    String v;
    final Map<String, String> projectOf = new LinkedHashMap<>(); // backup id → project, creation order
    final Map<String, String> shaAt = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        fx = new RbdFixture();
        v = fx.newVolume(SIZE);
        fx.scribble(v, 30, (int) MIB);
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        fx.close();
    }

    /** What the manager passes: the project's other backups, and every other project's newest one. */
    SiblingBackups siblings(String project) {
        Set<String> own = projectOf.entrySet().stream().filter(e -> e.getValue().equals(project))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Map<String, String> newest = new HashMap<>();
        projectOf.forEach((id, p) -> newest.put(p, id));
        newest.remove(project);
        return new SiblingBackups(own, Set.copyOf(newest.values()));
    }

    BackupRef backup(String project, BackupRef parent) throws Exception {
        return backup(project, parent, null);
    }

    BackupRef backup(String project, BackupRef parent, ProgressListener progress) throws Exception {
        fx.scribble(v, 6, 400_000); // writes between backups, overlapping earlier ones at random
        try (RbdImage img = fx.volumes.openImage(ImageNames.volume(v))) {
            img.discard(4 * MIB * (projectOf.size() + 1), 64 * 1024); // and a discarded range
        }
        BackupRef ref = RbdFixture.ref(fx.newBackupId(), v, parent == null ? null : parent.id());
        shaAt.put(ref.id(), fx.volumeSha(v));
        BackupRef stored;
        try (RbdDevice dev = fx.live(v)) {
            stored = RbdFixture.stored(ref, driver.backup(ref, parent, siblings(project), dev, progress));
        }
        projectOf.put(ref.id(), project);
        return stored;
    }

    String snapOf(BackupRef b) throws Exception {
        String base = ServiceMetadata.base(b.serviceMetadata()).orElseThrow();
        return fx.snaps(fx.backups, base).stream().filter(s -> s.startsWith("backup." + b.id() + ".snap."))
                .findFirst().orElseThrow();
    }

    String restoreIntoNew(BackupRef b, boolean dirty) throws Exception {
        String other = fx.newVolume(SIZE);
        if (dirty) {
            fx.scribble(other, 5, 200_000);
        }
        try (RbdDevice dev = fx.live(other)) {
            driver.restore(List.of(b), dev, () -> false);
        }
        return fx.volumeSha(other);
    }

    /** cinder's _diff_restore_rbd: export-diff of the base at the backup's snapshot, imported into a new volume. */
    String restoreWithCindersCommand(BackupRef b) throws Exception {
        String other = fx.newVolume(SIZE);
        String base = ServiceMetadata.base(b.serviceMetadata()).orElseThrow();
        sh(rbd() + " export-diff --pool backups backups/" + base + "@" + snapOf(b) + " - | " + rbd()
                + " import-diff --pool volumes - volumes/" + ImageNames.volume(other));
        return fx.volumeSha(other);
    }

    @ParameterizedTest
    @EnumSource(BaseLayout.class)
    void twoProjectsTwoChainsOnOneVolume(BaseLayout layout) throws Exception {
        driver = fx.driver(layout);
        BackupRef adm = backup("admin", null);
        BackupRef usr = backup("user", null);
        assertNull(usr.parentId(), "the user's full is not linked to the admin's");
        assertEquals(List.of(snapOf(adm), snapOf(usr)), fx.sourceSnaps(v), "each project's newest snapshot stays");

        BackupRef admI = backup("admin", adm);
        assertEquals(adm.id(), admI.parentId());
        BackupRef usrI = backup("user", usr);
        assertEquals(usr.id(), usrI.parentId());
        assertEquals(List.of(snapOf(admI), snapOf(usrI)), fx.sourceSnaps(v));

        String single = ImageNames.legacyBase(v);
        TreeMap<String, List<String>> expected = new TreeMap<>();
        if (layout == BaseLayout.SINGLE_BASE) {
            for (BackupRef b : List.of(adm, usr, admI, usrI)) {
                assertEquals(ServiceMetadata.of(single), b.serviceMetadata());
            }
            expected.put(single, List.of(snapOf(adm), snapOf(usr), snapOf(admI), snapOf(usrI)));
        } else {
            String admChain = ImageNames.perBackup(v, adm.id());
            String usrChain = ImageNames.perBackup(v, usr.id());
            assertEquals(ServiceMetadata.of(admChain), admI.serviceMetadata());
            assertEquals(ServiceMetadata.of(usrChain), usrI.serviceMetadata());
            expected.put(admChain, List.of(snapOf(adm), snapOf(admI)));
            expected.put(usrChain, List.of(snapOf(usr), snapOf(usrI)));
        }
        assertEquals(expected, fx.backupImages(v));

        List<BackupRef> all = List.of(adm, usr, admI, usrI);
        List<String> names = List.of("admin full", "user full", "admin incremental", "user incremental");
        for (int i = 0; i < all.size(); i++) {
            BackupRef b = all.get(i);
            String want = shaAt.get(b.id());
            assertEquals(want, restoreIntoNew(b, false), names.get(i) + ": differential restore");
            assertEquals(want, restoreIntoNew(b, true), names.get(i) + ": full restore onto a used volume");
            assertEquals(want, restoreWithCindersCommand(b), names.get(i) + ": cinder's export-diff | import-diff");
        }

        // The chains go on: each incremental again from its own project's newest backup.
        BackupRef admI2 = backup("admin", admI);
        BackupRef usrI2 = backup("user", usrI);
        assertEquals(admI.id(), admI2.parentId());
        assertEquals(usrI.id(), usrI2.parentId());
        assertEquals(List.of(snapOf(admI2), snapOf(usrI2)), fx.sourceSnaps(v));
        assertEquals(shaAt.get(admI2.id()), restoreIntoNew(admI2, false), "second admin incremental");
        assertEquals(shaAt.get(usrI2.id()), restoreWithCindersCommand(usrI2), "second user incremental (cinder)");

        // Delete from the top, chain by chain, as the API allows.
        List<BackupRef> order = new ArrayList<>(List.of(usrI2, usrI, admI2, admI, usr));
        for (BackupRef b : order) {
            driver.delete(b);
        }
        assertEquals(List.of(snapOf(adm)), fx.snaps(fx.backups,
                layout == BaseLayout.SINGLE_BASE ? single : ImageNames.perBackup(v, adm.id())));
        driver.delete(adm);
        assertEquals(Map.of(), fx.backupImages(v));
    }

    /**
     * Single base, two chains: an incremental of the older chain that fails after writing onto
     * the base leaves the head at the base's newest snapshot (the other chain's), not at its own
     * from-snapshot, so that cinder's next {@code import-diff} onto that head, which starts from
     * the other chain's snapshot, is exact; and Ember's retry is exact too.
     */
    @Test
    void aFailedIncrementalLeavesTheSingleBaseHeadForTheOtherChain() throws Exception {
        driver = fx.driver(BaseLayout.SINGLE_BASE);
        String base = ImageNames.legacyBase(v);
        BackupRef adm = backup("admin", null);
        BackupRef usr = backup("user", null);
        String headAtUsr = fx.sha(fx.backups, base, snapOf(usr));
        ProgressListener boom = done -> {
            throw new IllegalStateException("injected failure at " + done);
        };
        assertThrows(BackupDriverException.class, () -> backup("admin", adm, boom));
        assertEquals(List.of(snapOf(adm), snapOf(usr)), fx.snaps(fx.backups, base));
        assertEquals(List.of(snapOf(adm), snapOf(usr)), fx.sourceSnaps(v));
        assertEquals(headAtUsr, fx.sha(fx.backups, base, null), "the head is back at the newest snapshot");

        // cinder (Zed) takes the user's incremental: export-diff from the user's snapshot, onto the head.
        fx.scribble(v, 6, 400_000);
        String cinderId = fx.newBackupId();
        String cinderSnap = "backup." + cinderId + ".snap." + (System.currentTimeMillis() / 1000) + ".5";
        sh(rbd() + " snap create volumes/" + ImageNames.volume(v) + "@" + cinderSnap);
        sh(rbd() + " export-diff --pool volumes --from-snap " + snapOf(usr) + " volumes/" + ImageNames.volume(v) + "@"
                + cinderSnap + " - | " + rbd() + " import-diff --pool backups - backups/" + base);
        assertEquals(fx.sha(fx.volumes, ImageNames.volume(v), cinderSnap), fx.sha(fx.backups, base, cinderSnap),
                "cinder's incremental onto the head Ember left");
        projectOf.put(cinderId, "user");

        // Ember's retry of the admin's incremental, from the admin's full, onto a head two chains moved on.
        BackupRef admI = backup("admin", adm);
        assertEquals(adm.id(), admI.parentId());
        assertEquals(shaAt.get(admI.id()), restoreIntoNew(admI, false));
        assertEquals(shaAt.get(admI.id()), restoreWithCindersCommand(admI));
        assertEquals(List.of(cinderSnap, snapOf(admI)), fx.sourceSnaps(v), "the user's newest snapshot stays");
    }
}
