package dev.ember.driver.rbd;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the startup cleanup removes after a backup killed mid-creation, as a table of cases. */
class InterruptedBackupPlannerTest {

    static final String V = "vol";
    static final String BASE = ImageNames.legacyBase(V);

    record Case(String what, List<String> source, Map<String, List<String>> pool, InterruptedBackupPlan expected) {
    }

    static InterruptedBackupPlan plan(List<String> source, Map<String, List<String>> pool) {
        return InterruptedBackupPlanner.plan("k", V, source, pool.keySet(), img -> pool.getOrDefault(img, List.of()));
    }

    @Test
    void cases() {
        List<Case> cases = List.of(
                new Case("killed before anything", List.of(), Map.of(),
                        new InterruptedBackupPlan(List.of(), List.of(), Map.of())),
                new Case("first backup: snapshot taken, base created, no base snapshot yet",
                        List.of("backup.k.snap.2.0"), Map.of(BASE, List.of()),
                        new InterruptedBackupPlan(List.of("backup.k.snap.2.0"), List.of(BASE), Map.of())),
                new Case("incremental: the earlier snapshot stays, the head goes back to it",
                        List.of("backup.a.snap.1.0", "backup.k.snap.2.0"), Map.of(BASE, List.of("backup.a.snap.1.0")),
                        new InterruptedBackupPlan(List.of("backup.k.snap.2.0"), List.of(),
                                Map.of(BASE, "backup.a.snap.1.0"))),
                new Case("head goes back to the newest by time, not by name",
                        List.of(), Map.of(BASE, List.of("backup.z.snap.999.0", "backup.a.snap.1000.0", "user-snap")),
                        new InterruptedBackupPlan(List.of(), List.of(), Map.of(BASE, "backup.a.snap.1000.0"))),
                new Case("full copies (no snapshots) are not bases and are never touched here",
                        List.of("snapshot-cinder"), Map.of(ImageNames.perBackup(V, "f"), List.of()),
                        new InterruptedBackupPlan(List.of(), List.of(), Map.of())),
                new Case("per-chain bases of the volume are settled; other volumes' images are not looked at",
                        List.of("backup.c.snap.5.0"), Map.of(ImageNames.perBackup(V, "c"), List.of("backup.c.snap.5.0"),
                                ImageNames.legacyBase("other"), List.of()),
                        new InterruptedBackupPlan(List.of(), List.of(),
                                Map.of(ImageNames.perBackup(V, "c"), "backup.c.snap.5.0"))));
        for (Case c : cases) {
            assertEquals(c.expected(), plan(c.source(), c.pool()), c.what());
        }
    }

    @Test
    void emptyBaseIsOnlyABaseWithoutBackupSnapshots() {
        Map<String, List<String>> pool = Map.of(BASE, List.of("user-snap"), ImageNames.perBackup(V, "f"), List.of());
        assertEquals(java.util.Optional.of(BASE), DeletePlanner.emptyBase(V, pool.keySet(), pool::get));
        Map<String, List<String>> used = Map.of(BASE, List.of("backup.a.snap.1.0"));
        assertEquals(java.util.Optional.empty(), DeletePlanner.emptyBase(V, used.keySet(), used::get));
        assertEquals(java.util.Optional.empty(), DeletePlanner.emptyBase(V, Set.of(), img -> List.of()));
    }
}
