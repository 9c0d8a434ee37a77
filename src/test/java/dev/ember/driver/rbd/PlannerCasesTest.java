package dev.ember.driver.rbd;

import dev.ember.device.rbd.SourceKind;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failure paths and the per-chain layout, as tables of small cases. */
class PlannerCasesTest {

    static final String V = "vol";
    static final SourceSnapshot NEW = SourceSnapshot.forBackup("new", Instant.ofEpochSecond(2000, 500_000));

    static BackupPlan plan(BaseLayout layout, Set<String> images, List<String> source, Map<String, List<String>> snaps,
                           BackupPlanner.Parent parent) {
        return BackupPlanner.plan(new BackupPlanner.Inputs("new", V, SourceKind.LIVE_VOLUME, layout, images, source,
                img -> snaps.getOrDefault(img, List.of()), parent, NEW));
    }

    @Test
    void snapshotNames() {
        assertEquals("backup.b1.snap.1714557600.1234", SourceSnapshot.forBackup("b1",
                Instant.ofEpochSecond(1714557600L, 123_400_000)).name());
        assertEquals("backup.b1.snap.1714557600.0", SourceSnapshot.forBackup("b1", Instant.ofEpochSecond(1714557600L)).name());
        SourceSnapshot s = SourceSnapshot.parse("backup.6b0c-1a.snap.1714557600.1234567").orElseThrow();
        assertEquals("6b0c-1a", s.backupId());
        assertTrue(SourceSnapshot.parse("snapshot-1234").isEmpty());
        assertTrue(SourceSnapshot.parse("volume-x.clone_snap").isEmpty());
        // Newest by number, not by text: 999.0 is older than 1000.0.
        List<SourceSnapshot> sorted = List.of(SourceSnapshot.parse("backup.a.snap.999.0").orElseThrow(),
                SourceSnapshot.parse("backup.b.snap.1000.0").orElseThrow()).stream()
                .sorted(SourceSnapshot.NEWEST_FIRST).toList();
        assertEquals("b", sorted.get(0).backupId());
    }

    @Test
    void aSourceSnapshotTheBaseLacksIsSkippedAndLeavesTheSourceAfterwards() {
        String base = ImageNames.legacyBase(V);
        BackupPlan p = plan(BaseLayout.SINGLE_BASE, Set.of(base), List.of("backup.old.snap.1.0", "backup.crash.snap.2.0"),
                Map.of(base, List.of("backup.old.snap.1.0")), null);
        // The crash left backup.crash on the source only: the diff starts from the newest
        // snapshot the base has (Queens+), and both older snapshots go once the backup is done.
        BackupPlan.Differential d = assertInstanceOf(BackupPlan.Differential.class, p);
        assertEquals(base, d.base());
        assertEquals("backup.old.snap.1.0", d.fromSnap());
        assertEquals("old", d.parentId());
        assertEquals(List.of("backup.crash.snap.2.0", "backup.old.snap.1.0"), d.removeFromSourceAfter());
    }

    @Test
    void noSourceSnapshotOnTheBaseIsAFullCopyThatDropsTheStaleOnes() {
        String base = ImageNames.legacyBase(V);
        BackupPlan p = plan(BaseLayout.SINGLE_BASE, Set.of(base), List.of("backup.crash.snap.2.0"),
                Map.of(base, List.of("backup.old.snap.1.0")), null);
        BackupPlan.FullCopy f = assertInstanceOf(BackupPlan.FullCopy.class, p);
        assertEquals(ImageNames.perBackup(V, "new"), f.image());
        assertEquals(List.of("backup.crash.snap.2.0"), f.removeFromSourceAfter());
        assertNull(p.parentId());
    }

    @Test
    void deletedBaseStartsOverAndRemovesStaleSourceSnapshots() {
        BackupPlan p = plan(BaseLayout.SINGLE_BASE, Set.of(), List.of("backup.old.snap.1.0", "snapshot-user"),
                Map.of(), null);
        BackupPlan.Differential d = assertInstanceOf(BackupPlan.Differential.class, p);
        assertTrue(d.createBase());
        assertNull(d.fromSnap());
        assertEquals(List.of("backup.old.snap.1.0"), d.removeFromSourceAfter());
    }

    @Test
    void sourceWithoutSnapshotsAndExistingBaseIsAFullCopy() {
        String base = ImageNames.legacyBase(V);
        BackupPlan p = plan(BaseLayout.SINGLE_BASE, Set.of(base), List.of(), Map.of(base, List.of("backup.x.snap.1.0")), null);
        assertInstanceOf(BackupPlan.FullCopy.class, p);
    }

    @Test
    void cinderSnapshotSourceIsAlwaysAFullCopy() {
        BackupPlan p = BackupPlanner.plan(new BackupPlanner.Inputs("new", V, SourceKind.CINDER_SNAPSHOT,
                BaseLayout.SINGLE_BASE, Set.of(), List.of(), img -> List.of(), null, NEW));
        assertInstanceOf(BackupPlan.FullCopy.class, p);
    }

    @Test
    void perChainLayout() {
        String chain = ImageNames.perBackup(V, "full");
        // A full starts its own base.
        BackupPlan full = plan(BaseLayout.PER_CHAIN, Set.of(), List.of(), Map.of(), null);
        BackupPlan.Differential f = assertInstanceOf(BackupPlan.Differential.class, full);
        assertEquals(ImageNames.perBackup(V, "new"), f.base());
        assertTrue(f.createBase());
        // An incremental diffs onto the parent's base, found through service_metadata.
        BackupPlan inc = plan(BaseLayout.PER_CHAIN, Set.of(chain), List.of("backup.full.snap.1.0"),
                Map.of(chain, List.of("backup.full.snap.1.0")),
                new BackupPlanner.Parent("full", ServiceMetadata.of(chain)));
        BackupPlan.Differential i = assertInstanceOf(BackupPlan.Differential.class, inc);
        assertEquals(chain, i.base());
        assertEquals("backup.full.snap.1.0", i.fromSnap());
        assertEquals("full", i.parentId());
        // The parent's snapshot is gone from the source: a new chain, not a corrupt diff.
        BackupPlan lost = plan(BaseLayout.PER_CHAIN, Set.of(chain), List.of(), Map.of(chain, List.of("backup.full.snap.1.0")),
                new BackupPlanner.Parent("full", ServiceMetadata.of(chain)));
        assertNull(lost.parentId());
        assertTrue(assertInstanceOf(BackupPlan.Differential.class, lost).createBase());
    }

    @Test
    void restoreAndDeleteReadCinderPerChainBackups() {
        String chain = ImageNames.perBackup(V, "full");
        Map<String, List<String>> snaps = Map.of(chain, List.of("backup.full.snap.1.0", "backup.inc.snap.2.0"));
        RestorePlan r = RestorePlanner.plan(new RestorePlanner.Inputs("inc", V, ServiceMetadata.of(chain), Set.of(chain),
                img -> snaps.getOrDefault(img, List.of()), true, true, "target"));
        assertEquals(new RestorePlan.Differential(chain, "backup.inc.snap.2.0"), r);
        assertInstanceOf(RestorePlan.Missing.class, RestorePlanner.plan(new RestorePlanner.Inputs("gone", V, null,
                Set.of(), img -> List.of(), true, true, "target")));
        DeletePlan d = DeletePlanner.plan("inc", V, ServiceMetadata.of(chain), Set.of(chain), img -> snaps.getOrDefault(img, List.of()));
        assertEquals(new DeletePlan(chain, List.of("backup.inc.snap.2.0"), false, "backup.inc.meta"), d);
        DeletePlan none = DeletePlanner.plan("x", V, "not json", Set.of(), img -> List.of());
        assertNull(none.image());
    }
}
