package dev.ember.driver.rbd;

import dev.ember.device.rbd.SourceKind;
import dev.ember.driver.SiblingBackups;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides how an RBD backup is taken: which base, which from-snapshot, which source snapshots go
 * afterwards, when to fall back to a full copy. Pure: the caller lists images and snapshots, the
 * planner answers, the driver does the I/O.
 *
 * <p><b>What cinder does (Zed 21, {@code CephBackupDriver._backup_rbd}).</b> A full backup
 * ({@code parent_id} None) creates its own base {@code volume-<vid>.backup.<bid>} and imports the
 * whole source snapshot; an incremental takes its base from the parent's service_metadata and
 * {@code --from-snap} = the parent's snapshot on that base ({@code _get_backup_snap_name(base,
 * parent_id)}; none → the backup fails). It never rewrites {@code parent_id} and never removes a
 * source snapshot. cinder-api picks the parent: the newest backup of the volume in the caller's
 * project. cinder-tempest-plugin's {@code test_incremental_backup_respective_parents} relies on
 * exactly that: on one volume the admin takes a full, the user a full, the admin an incremental
 * (parent = the admin's full, although the user's snapshot is newer), the user an incremental
 * (parent = the user's full); each full must get exactly its own project's incremental as a
 * dependent, and neither full the other's.
 *
 * <p><b>Incremental backups</b> (both layouts) honour the parent the API chose: they diff from
 * the parent's snapshot onto the parent's base (its service_metadata base, else the single base,
 * else its own image), as cinder does. When that snapshot is gone from the base or the source
 * (cinder master: {@code INCREMENTAL_BACKUP_FORCES_FULL_BACKUP}) the backup becomes a full one.
 *
 * <p><b>Full backups, single-base layout</b> (the seed lab's rules, mechanisms M1/M2):
 * <ul>
 *   <li>the source is not the live volume (temporary clone of an in-use volume, cinder
 *       snapshot): full copy into {@code volume-<vid>.backup.<bid>}; base and source untouched;</li>
 *   <li>no base: create it and copy the whole image as a differential from nothing;</li>
 *   <li>base present: differential from the newest source snapshot the base also has. When that
 *       snapshot belongs to a backup of the same project, the new backup is linked to it as its
 *       incremental (the lab's hidden chain, M2); another project's backup is never made a
 *       parent, since that project's incrementals chain on it;</li>
 *   <li>base present but no source snapshot on it: full copy.</li>
 * </ul>
 * The single base's head may have moved on past the from-snapshot (another project's backup
 * was written after it): that is still exact, because every block that changed on the source
 * since the from-snapshot is in the diff, and every other block is the same in the from-snapshot,
 * in the head (a later state of the same source) and in the new snapshot.
 *
 * <p><b>Full backups, per-chain layout</b> (cinder Train+): a new base {@code volume-<vid>.backup.<bid>}.
 *
 * <p><b>Source snapshots.</b> A later backup can only start from a snapshot its parent left on the
 * source, and the API only ever names the newest backup of a project as parent. So once a backup
 * of the live volume has succeeded, every backup snapshot on the source goes except its own and
 * those of the other projects' newest backups ({@link SiblingBackups}): each live chain keeps the
 * one snapshot it needs, and a volume backed up by one project keeps exactly one.
 */
public final class BackupPlanner {

    /** Everything the planner looks at. */
    public record Inputs(
            String backupId,
            String volumeId,
            SourceKind source,
            BaseLayout layout,
            /* images present in the backup pool */
            Set<String> backupPoolImages,
            /* snapshot names on the source image */
            List<String> sourceSnapshots,
            /* snapshot names of an image of the backup pool (empty when it is absent) */
            Function<String, List<String>> baseSnapshots,
            /* the parent the API chose (an incremental), or null */
            Parent parent,
            SourceSnapshot newSnapshot,
            /* the volume's other backups, as the database sees them */
            SiblingBackups siblings) {

        public Inputs {
            siblings = siblings == null ? SiblingBackups.ONE_PROJECT : siblings;
        }

        /** Without the database's view: one project owns every backup of the volume. */
        public Inputs(String backupId, String volumeId, SourceKind source, BaseLayout layout,
                      Set<String> backupPoolImages, List<String> sourceSnapshots,
                      Function<String, List<String>> baseSnapshots, Parent parent, SourceSnapshot newSnapshot) {
            this(backupId, volumeId, source, layout, backupPoolImages, sourceSnapshots, baseSnapshots, parent,
                    newSnapshot, SiblingBackups.ONE_PROJECT);
        }
    }

    /** The parent the API chose for an incremental: its id and service_metadata. */
    public record Parent(String id, String serviceMetadata) {
    }

    /** Where an incremental starts: the parent's snapshot on the parent's base. */
    private record Start(String base, String snapshot) {
    }

    private BackupPlanner() {
    }

    public static BackupPlan plan(Inputs in) {
        if (in.source() != SourceKind.LIVE_VOLUME) {
            return new BackupPlan.FullCopy(ImageNames.perBackup(in.volumeId(), in.backupId()), List.of(),
                    "the source is a " + (in.source() == SourceKind.TEMPORARY_CLONE ? "temporary clone" : "cinder snapshot")
                            + ", which carries no backup snapshots");
        }
        List<SourceSnapshot> onSource = backupSnapshots(in.sourceSnapshots());
        String newSnap = in.newSnapshot().name();
        List<String> rotate = onSource.stream()
                .filter(s -> !s.name().equals(newSnap) && !in.siblings().isOtherProjectsHead(s.backupId()))
                .map(SourceSnapshot::name).toList();
        String forced = "";
        if (in.parent() != null) {
            Optional<Start> start = startOf(in.parent(), in);
            if (start.isPresent()) {
                return new BackupPlan.Differential(start.get().base(), false, start.get().snapshot(), newSnap, rotate,
                        in.parent().id(), "incremental to its parent " + in.parent().id());
            }
            forced = "the snapshot of the parent " + in.parent().id()
                    + " is gone from its base or the source, so this is a full backup: ";
        }
        return in.layout() == BaseLayout.SINGLE_BASE ? singleBaseFull(in, onSource, newSnap, rotate, forced)
                : new BackupPlan.Differential(ImageNames.perBackup(in.volumeId(), in.backupId()), true, null, newSnap,
                        rotate, null, forced + "a full backup starts a chain of its own");
    }

    /** The parent's snapshot on its base, when both the base and the source still have it. */
    private static Optional<Start> startOf(Parent parent, Inputs in) {
        List<String> bases = new ArrayList<>();
        ServiceMetadata.base(parent.serviceMetadata()).ifPresent(bases::add);
        bases.add(ImageNames.legacyBase(in.volumeId()));
        bases.add(ImageNames.perBackup(in.volumeId(), parent.id()));
        for (String base : bases.stream().distinct().toList()) {
            if (!in.backupPoolImages().contains(base)) {
                continue;
            }
            Optional<SourceSnapshot> own = backupSnapshots(in.baseSnapshots().apply(base)).stream()
                    .filter(s -> s.backupId().equals(parent.id())).findFirst();
            if (own.isPresent()) {
                return in.sourceSnapshots().contains(own.get().name())
                        ? Optional.of(new Start(base, own.get().name())) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static BackupPlan singleBaseFull(Inputs in, List<SourceSnapshot> onSource, String newSnap,
                                             List<String> rotate, String forced) {
        String base = ImageNames.legacyBase(in.volumeId());
        if (!in.backupPoolImages().contains(base)) {
            return new BackupPlan.Differential(base, true, null, newSnap, rotate, null, forced + "the volume has no base yet");
        }
        Set<String> onBase = Set.copyOf(in.baseSnapshots().apply(base));
        Optional<SourceSnapshot> from = onSource.stream().filter(s -> onBase.contains(s.name())).findFirst();
        if (from.isPresent()) {
            String owner = from.get().backupId();
            boolean link = in.siblings().inOwnProject(owner);
            return new BackupPlan.Differential(base, false, from.get().name(), newSnap, rotate, link ? owner : null,
                    forced + "the newest source snapshot on the base is " + owner + "'s"
                            + (link ? ", of the same project: linked to it" : ", of another project: not a parent"));
        }
        return new BackupPlan.FullCopy(ImageNames.perBackup(in.volumeId(), in.backupId()), rotate,
                forced + (onSource.isEmpty() ? "the source has no backup snapshot to diff from"
                        : "none of the source's backup snapshots is on " + base));
    }

    /** The backup snapshots among {@code names}, newest first. */
    private static List<SourceSnapshot> backupSnapshots(List<String> names) {
        return names.stream().map(SourceSnapshot::parse).flatMap(Optional::stream)
                .sorted(SourceSnapshot.NEWEST_FIRST).toList();
    }
}
