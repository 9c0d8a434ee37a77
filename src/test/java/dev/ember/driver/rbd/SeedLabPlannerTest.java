package dev.ember.driver.rbd;

import dev.ember.device.rbd.SourceKind;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The seed lab of the reference (seed-lab-scenario.md), replayed through the planners on a model
 * of the pools: after every step the images of the backups pool, the snapshots on the base and on
 * the source, and the parent links must be the lab's.
 */
class SeedLabPlannerTest {

    static final String V = "5f0e8a1c-0000-4000-8000-00000000000v";

    /** backups pool: image → snapshots; the source volume's snapshots. */
    final Map<String, List<String>> pool = new TreeMap<>();
    final List<String> source = new ArrayList<>();
    final Map<String, String> snapOf = new LinkedHashMap<>();
    final Map<String, String> parentOf = new LinkedHashMap<>();
    long clock = 1_714_557_600L;

    String backup(String id, SourceKind kind) {
        SourceSnapshot snap = SourceSnapshot.forBackup(id, Instant.ofEpochSecond(clock += 60, 123_456_000));
        BackupPlan plan = BackupPlanner.plan(new BackupPlanner.Inputs(id, V, kind, BaseLayout.SINGLE_BASE,
                pool.keySet(), List.copyOf(source), img -> pool.getOrDefault(img, List.of()), null, snap));
        if (plan instanceof BackupPlan.FullCopy f) {
            pool.put(f.image(), new ArrayList<>());
        } else if (plan instanceof BackupPlan.Differential d) {
            if (d.createBase()) {
                pool.put(d.base(), new ArrayList<>());
            }
            source.add(d.newSnap());
            pool.get(d.base()).add(d.newSnap());
            snapOf.put(id, d.newSnap());
        }
        source.removeAll(plan.removeFromSourceAfter());
        parentOf.put(id, plan.parentId());
        return plan.parentId();
    }

    RestorePlan restore(String id, String target, boolean empty) {
        return RestorePlanner.plan(new RestorePlanner.Inputs(id, V, null, pool.keySet(),
                img -> pool.getOrDefault(img, List.of()), true, empty, target));
    }

    String base() {
        return ImageNames.legacyBase(V);
    }

    String img(String id) {
        return ImageNames.perBackup(V, id);
    }

    List<String> snaps(String... ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            out.add(id.startsWith("snapshot-") ? id : snapOf.get(id));
        }
        return out;
    }

    void expectPool(Map<String, List<String>> expected) {
        assertEquals(new TreeMap<>(expected), pool);
    }

    @Test
    void theLabStepByStep() {
        // 1a: full --force of an in-use volume reads a temporary clone → full copy, no snapshots.
        assertNull(backup("b01", SourceKind.TEMPORARY_CLONE));
        expectPool(Map.of(img("b01"), List.of()));
        assertEquals(List.of(), source);
        // 1b: a cinder snapshot of the volume.
        source.add("snapshot-s1");
        // 1c/1d: more in-use backups: full copies, the incremental request is stored as a full.
        assertNull(backup("b02i", SourceKind.TEMPORARY_CLONE));
        assertNull(backup("b02", SourceKind.TEMPORARY_CLONE));
        expectPool(Map.of(img("b01"), List.of(), img("b02i"), List.of(), img("b02"), List.of()));
        assertEquals(List.of("snapshot-s1"), source);

        // 2a: restore b01 onto V: full copy from its image.
        assertEquals(new RestorePlan.FullCopy(img("b01"), null), restore("b01", V, false));
        // 2b: available volume, no base: the base is created with S03.
        assertNull(backup("b03", SourceKind.LIVE_VOLUME));
        expectPool(Map.of(img("b01"), List.of(), img("b02i"), List.of(), img("b02"), List.of(), base(), snaps("b03")));
        assertEquals(snaps("snapshot-s1", "b03"), source);
        // 2c, 2d: differentials, the source keeps one backup snapshot, hidden parent links.
        assertEquals("b03", backup("b04", SourceKind.LIVE_VOLUME));
        assertEquals(snaps("snapshot-s1", "b04"), source);
        assertEquals("b04", backup("b05", SourceKind.LIVE_VOLUME));
        assertEquals(snaps("b03", "b04", "b05"), pool.get(base()));
        assertEquals(snaps("snapshot-s1", "b05"), source);

        // 3a: restore b02 (full image); the cinder snapshot is gone by now in the lab.
        assertEquals(new RestorePlan.FullCopy(img("b02"), null), restore("b02", V, false));
        source.remove("snapshot-s1");
        // 3b
        assertEquals("b05", backup("b06", SourceKind.LIVE_VOLUME));
        assertEquals(snaps("b06"), source);

        // 4a: restore b04 onto its own volume: a full copy from base@S04, never a diff.
        assertEquals(new RestorePlan.FullCopy(base(), snapOf.get("b04")), restore("b04", V, true));
        // 4b: in-use backup with the base present: a separate image, base and S06 untouched.
        assertNull(backup("b07", SourceKind.TEMPORARY_CLONE));
        assertEquals(snaps("b03", "b04", "b05", "b06"), pool.get(base()));
        assertEquals(snaps("b06"), source);

        // 5a..5d
        assertEquals(new RestorePlan.FullCopy(base(), snapOf.get("b05")), restore("b05", V, false));
        assertEquals("b06", backup("b08", SourceKind.LIVE_VOLUME));
        assertEquals(snaps("b08"), source);
        assertEquals(new RestorePlan.FullCopy(img("b02i"), null), restore("b02i", V, false));
        assertEquals("b08", backup("b09", SourceKind.LIVE_VOLUME));

        // Final state of the lab.
        expectPool(Map.of(img("b01"), List.of(), img("b02i"), List.of(), img("b02"), List.of(), img("b07"), List.of(),
                base(), snaps("b03", "b04", "b05", "b06", "b08", "b09")));
        assertEquals(snaps("b09"), source);
        assertEquals(Map.of("b04", "b03", "b05", "b04", "b06", "b05", "b08", "b06", "b09", "b08"),
                parentOf.entrySet().stream().filter(e -> e.getValue() != null)
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));

        // A restore into another, empty RBD volume is differential.
        assertInstanceOf(RestorePlan.Differential.class, restore("b05", "other-volume", true));
        assertInstanceOf(RestorePlan.FullCopy.class, restore("b05", "other-volume", false));

        // Deleting b09 removes only its snapshot; the base goes with its last snapshot.
        DeletePlan d9 = DeletePlanner.plan("b09", V, null, pool.keySet(), img -> pool.getOrDefault(img, List.of()));
        assertEquals(new DeletePlan(base(), snaps("b09"), false, "backup.b09.meta"), d9);
        DeletePlan d7 = DeletePlanner.plan("b07", V, null, pool.keySet(), img -> pool.getOrDefault(img, List.of()));
        assertEquals(new DeletePlan(img("b07"), List.of(), true, "backup.b07.meta"), d7);
        pool.put(base(), new ArrayList<>(snaps("b03")));
        DeletePlan d3 = DeletePlanner.plan("b03", V, null, pool.keySet(), img -> pool.getOrDefault(img, List.of()));
        assertEquals(new DeletePlan(base(), snaps("b03"), true, "backup.b03.meta"), d3);
    }
}
