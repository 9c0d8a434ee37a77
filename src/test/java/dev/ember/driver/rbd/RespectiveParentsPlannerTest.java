package dev.ember.driver.rbd;

import dev.ember.device.rbd.SourceKind;
import dev.ember.driver.SiblingBackups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incrementals diff from the parent the API chose, and the source keeps the snapshot each live
 * chain needs: cinder-tempest-plugin's {@code test_incremental_backup_respective_parents} (two
 * projects, two chains, one volume) replayed through the planner on a model of the pools, in
 * both layouts, and a table of single decisions.
 */
class RespectiveParentsPlannerTest {

    static final String V = "vol";

    // ------------------------------------------------------------ the model ---

    /** A live backup as the database holds it. */
    record Row(String id, String project, String parentId, String serviceMetadata, String snapshot) {
    }

    final Map<String, List<String>> pool = new TreeMap<>();
    final List<String> source = new ArrayList<>();
    final Map<String, Row> rows = new LinkedHashMap<>(); // creation order
    long clock = 1_714_557_600L;

    /** cinder-api's parent for an incremental: the project's newest backup of the volume. */
    String apiParent(String project) {
        String last = null;
        for (Row r : rows.values()) {
            if (r.project().equals(project)) {
                last = r.id();
            }
        }
        return last;
    }

    /** What BackupRepository.siblingsOf answers for the model. */
    SiblingBackups siblings(String project) {
        Set<String> own = rows.values().stream().filter(r -> r.project().equals(project)).map(Row::id)
                .collect(Collectors.toSet());
        Set<String> heads = rows.values().stream().map(Row::project).filter(p -> !p.equals(project)).distinct()
                .map(this::apiParent).collect(Collectors.toSet());
        return new SiblingBackups(own, heads);
    }

    BackupPlan backup(BaseLayout layout, String id, String project, boolean incremental) {
        String parentId = incremental ? apiParent(project) : null;
        BackupPlanner.Parent parent = parentId == null ? null
                : new BackupPlanner.Parent(parentId, rows.get(parentId).serviceMetadata());
        SourceSnapshot snap = SourceSnapshot.forBackup(id, Instant.ofEpochSecond(clock += 60, 250_000_000));
        BackupPlan plan = BackupPlanner.plan(new BackupPlanner.Inputs(id, V, SourceKind.LIVE_VOLUME, layout,
                Set.copyOf(pool.keySet()), List.copyOf(source), img -> pool.getOrDefault(img, List.of()), parent, snap,
                siblings(project)));
        String meta = null;
        if (plan instanceof BackupPlan.FullCopy f) {
            pool.put(f.image(), new ArrayList<>());
        } else if (plan instanceof BackupPlan.Differential d) {
            if (d.createBase()) {
                pool.put(d.base(), new ArrayList<>());
            }
            assertTrue(pool.containsKey(d.base()), "the base exists");
            if (d.fromSnap() != null) {
                assertTrue(source.contains(d.fromSnap()) && pool.get(d.base()).contains(d.fromSnap()),
                        "the from-snapshot is on the source and on the base");
            }
            source.add(d.newSnap());
            pool.get(d.base()).add(d.newSnap());
            meta = ServiceMetadata.of(d.base());
        }
        source.removeAll(plan.removeFromSourceAfter());
        rows.put(id, new Row(id, project, plan.parentId(), meta, snap.name()));
        return plan;
    }

    boolean hasDependents(String id) {
        return rows.values().stream().anyMatch(r -> id.equals(r.parentId()));
    }

    String snap(String id) {
        return rows.get(id).snapshot();
    }

    // ------------------------------------------------------- the tempest test ---

    @ParameterizedTest
    @EnumSource(BaseLayout.class)
    void twoProjectsTwoChainsOnOneVolume(BaseLayout layout) {
        // create backup as admin, then as user
        BackupPlan adm = backup(layout, "adm", "admin", false);
        BackupPlan usr = backup(layout, "usr", "user", false);
        assertNull(adm.parentId());
        assertNull(usr.parentId(), "another project's full is never made a parent");
        assertFalse(hasDependents("adm"));
        assertEquals(List.of(snap("adm"), snap("usr")), source, "each project's newest backup keeps its snapshot");

        // incremental as admin: from the admin's full, although the user's snapshot is newer
        BackupPlan.Differential admI = assertInstanceOf(BackupPlan.Differential.class,
                backup(layout, "adm-i", "admin", true));
        assertEquals(snap("adm"), admI.fromSnap());
        assertEquals("adm", admI.parentId());
        assertFalse(hasDependents("usr"));
        assertTrue(hasDependents("adm"));
        assertEquals(List.of(snap("usr"), snap("adm-i")), source);

        // incremental as user: from the user's full
        BackupPlan.Differential usrI = assertInstanceOf(BackupPlan.Differential.class,
                backup(layout, "usr-i", "user", true));
        assertEquals(snap("usr"), usrI.fromSnap());
        assertEquals("usr", usrI.parentId());
        assertTrue(hasDependents("usr"));
        assertEquals(List.of(snap("adm-i"), snap("usr-i")), source);

        if (layout == BaseLayout.SINGLE_BASE) {
            assertEquals(Map.of(ImageNames.legacyBase(V), List.of(snap("adm"), snap("usr"), snap("adm-i"), snap("usr-i"))),
                    pool);
        } else {
            assertEquals(Map.of(ImageNames.perBackup(V, "adm"), List.of(snap("adm"), snap("adm-i")),
                    ImageNames.perBackup(V, "usr"), List.of(snap("usr"), snap("usr-i"))), pool);
        }

        // Both chains go on: each incremental again from its own project's newest backup.
        assertEquals(snap("adm-i"), ((BackupPlan.Differential) backup(layout, "adm-i2", "admin", true)).fromSnap());
        assertEquals(snap("usr-i"), ((BackupPlan.Differential) backup(layout, "usr-i2", "user", true)).fromSnap());
        assertEquals(List.of(snap("adm-i2"), snap("usr-i2")), source);
    }

    @Test
    void oneProjectKeepsTheSeedLabsHiddenChainAndOneSourceSnapshot() {
        backup(BaseLayout.SINGLE_BASE, "b1", "p", false);
        assertEquals("b1", backup(BaseLayout.SINGLE_BASE, "b2", "p", false).parentId());
        assertEquals("b2", backup(BaseLayout.SINGLE_BASE, "b3", "p", true).parentId());
        assertEquals(List.of(snap("b3")), source);
    }

    // ------------------------------------------------------ single decisions ---

    static final String BASE = ImageNames.legacyBase(V);
    static final String CHAIN = ImageNames.perBackup(V, "c");
    static final String SP = "backup.p.snap.100.5";    // project P's backup
    static final String SQ = "backup.q.snap.200.5";    // project Q's, newer
    static final String SC = "backup.c.snap.50.5";     // cinder's full, on its own chain base
    static final SiblingBackups P_NEW_IN_P = new SiblingBackups(Set.of("p"), Set.of("q")); // new backup of P; Q's head is q
    static final SiblingBackups NEW_IN_Q = new SiblingBackups(Set.of("q"), Set.of("p"));   // new backup of Q; P's head is p

    /**
     * One decision. {@code expected}: "diff base from parent [removed...]", "new base parent
     * [removed...]" or "copy image [removed...]"; "-" for none.
     */
    record Case(String name, BaseLayout layout, Map<String, List<String>> images, List<String> onSource,
                BackupPlanner.Parent parent, SiblingBackups siblings, String expected) {
    }

    static BackupPlanner.Parent parent(String id, String base) {
        return new BackupPlanner.Parent(id, base == null ? null : ServiceMetadata.of(base));
    }

    static String describe(BackupPlan plan) {
        String removed = plan.removeFromSourceAfter().toString();
        if (plan instanceof BackupPlan.Differential d) {
            return d.createBase() ? "new " + d.base() + " " + dash(d.parentId()) + " " + removed
                    : "diff " + d.base() + " " + dash(d.fromSnap()) + " " + dash(d.parentId()) + " " + removed;
        }
        return "copy " + ((BackupPlan.FullCopy) plan).image() + " " + removed;
    }

    static String dash(String s) {
        return s == null ? "-" : s;
    }

    @Test
    void decisions() {
        BaseLayout single = BaseLayout.SINGLE_BASE;
        BaseLayout chain = BaseLayout.PER_CHAIN;
        List<Case> cases = List.of(
                new Case("incremental whose parent is not the newest on the single base", single,
                        Map.of(BASE, List.of(SP, SQ)), List.of(SP, SQ), parent("p", BASE), P_NEW_IN_P,
                        "diff " + BASE + " " + SP + " p [" + SP + "]"),
                new Case("the same without projects: every other snapshot goes", single,
                        Map.of(BASE, List.of(SP, SQ)), List.of(SP, SQ), parent("p", BASE), SiblingBackups.ONE_PROJECT,
                        "diff " + BASE + " " + SP + " p [" + SQ + ", " + SP + "]"),
                new Case("full when the newest snapshot is another project's: diffed from, not linked, kept", single,
                        Map.of(BASE, List.of(SP, SQ)), List.of(SP, SQ), null, P_NEW_IN_P,
                        "diff " + BASE + " " + SQ + " - [" + SP + "]"),
                new Case("full when the newest snapshot is the same project's: linked (the seed lab's M2)", single,
                        Map.of(BASE, List.of(SP, SQ)), List.of(SP, SQ), null, NEW_IN_Q,
                        "diff " + BASE + " " + SQ + " q [" + SQ + "]"),
                new Case("single-base layout continuing a chain cinder wrote on its own base", single,
                        Map.of(CHAIN, List.of(SC), BASE, List.of(SQ)), List.of(SC, SQ), parent("c", CHAIN),
                        new SiblingBackups(Set.of("c"), Set.of("q")),
                        "diff " + CHAIN + " " + SC + " c [" + SC + "]"),
                new Case("parent's snapshot gone from the source: a full, from the newest the base has", single,
                        Map.of(BASE, List.of(SP, SQ)), List.of(SQ), parent("p", BASE), P_NEW_IN_P,
                        "diff " + BASE + " " + SQ + " - []"),
                new Case("parent's snapshot gone from the base: a full", single,
                        Map.of(BASE, List.of(SQ)), List.of(SP, SQ), parent("p", BASE), P_NEW_IN_P,
                        "diff " + BASE + " " + SQ + " - [" + SP + "]"),
                new Case("per-chain incremental keeps the other chain's snapshot", chain,
                        Map.of(ImageNames.perBackup(V, "p"), List.of(SP), ImageNames.perBackup(V, "q"), List.of(SQ)),
                        List.of(SP, SQ), parent("p", ImageNames.perBackup(V, "p")), P_NEW_IN_P,
                        "diff " + ImageNames.perBackup(V, "p") + " " + SP + " p [" + SP + "]"),
                new Case("per-chain full keeps the other project's snapshot", chain,
                        Map.of(ImageNames.perBackup(V, "q"), List.of(SQ)), List.of(SQ), null, P_NEW_IN_P,
                        "new " + ImageNames.perBackup(V, "new") + " - []"),
                new Case("per-chain full supersedes its own project's chain", chain,
                        Map.of(ImageNames.perBackup(V, "q"), List.of(SQ)), List.of(SQ), null, NEW_IN_Q,
                        "new " + ImageNames.perBackup(V, "new") + " - [" + SQ + "]"),
                new Case("per-chain parent's snapshot gone: a chain of its own", chain,
                        Map.of(ImageNames.perBackup(V, "p"), List.of(SP)), List.of(), parent("p", ImageNames.perBackup(V, "p")),
                        P_NEW_IN_P, "new " + ImageNames.perBackup(V, "new") + " - []"),
                new Case("per-chain layout continuing a single-base chain written before the switch", chain,
                        Map.of(BASE, List.of(SP)), List.of(SP), parent("p", BASE), P_NEW_IN_P,
                        "diff " + BASE + " " + SP + " p [" + SP + "]"),
                new Case("parent without service_metadata (cinder before Train): the single base", chain,
                        Map.of(BASE, List.of(SP)), List.of(SP), parent("p", null), P_NEW_IN_P,
                        "diff " + BASE + " " + SP + " p [" + SP + "]"),
                new Case("no source snapshot on the single base: a full copy; Q's head stays", single,
                        Map.of(BASE, List.of("backup.gone.snap.1.0")), List.of(SP, SQ), null, P_NEW_IN_P,
                        "copy " + ImageNames.perBackup(V, "new") + " [" + SP + "]"));
        SourceSnapshot newSnap = SourceSnapshot.forBackup("new", Instant.ofEpochSecond(300));
        for (Case c : cases) {
            BackupPlan plan = BackupPlanner.plan(new BackupPlanner.Inputs("new", V, SourceKind.LIVE_VOLUME, c.layout(),
                    c.images().keySet(), c.onSource(), img -> c.images().getOrDefault(img, List.of()), c.parent(),
                    newSnap, c.siblings()));
            assertEquals(c.expected(), describe(plan), c.name());
        }
    }
}
