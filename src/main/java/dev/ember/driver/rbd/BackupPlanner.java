package dev.ember.driver.rbd;

import dev.ember.device.rbd.SourceKind;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides how an RBD backup is taken: which base, which from-snapshot, which snapshots to
 * rotate, when to fall back to a full copy. Pure: the caller lists images and snapshots, the
 * planner answers, the driver does the I/O.
 *
 * <p>Single-base layout (the seed lab's rules, mechanisms M1/M2):
 * <ul>
 *   <li>the source is not the live volume (temporary clone of an in-use volume, cinder
 *       snapshot): full copy into {@code volume-<vid>.backup.<bid>}; base and source untouched;</li>
 *   <li>no base: remove the stale backup snapshots from the source, create the base, copy the
 *       whole image as a differential from nothing; a full backup;</li>
 *   <li>base present and the source's newest backup snapshot is on it: differential from that
 *       snapshot, then remove it from the source (the source keeps exactly one); the backup is
 *       incremental to the backup that snapshot belongs to;</li>
 *   <li>base present but the newest source snapshot is not on it (or there is none): full copy.
 *       Backup snapshots on the source that the base does not have can never be from-snapshots
 *       again (left by a crash or by a deleted backup), so they are removed, which lets the
 *       next backup diff again from an older snapshot the base still has.</li>
 * </ul>
 * Per-chain layout (cinder Train+): a full backup starts base {@code volume-<vid>.backup.<bid>};
 * an incremental diffs from its parent's snapshot onto the parent's base, falling back to a new
 * chain when that snapshot is gone from the base or the source.
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
            /* snapshot names per base image present, looked up by the caller for the base(s) the planner asks about */
            java.util.function.Function<String, List<String>> baseSnapshots,
            /* the requested parent (per-chain incrementals), or null */
            Parent parent,
            SourceSnapshot newSnapshot) {
    }

    /** The parent the API chose for an incremental: its id and service_metadata. */
    public record Parent(String id, String serviceMetadata) {
    }

    private BackupPlanner() {
    }

    public static BackupPlan plan(Inputs in) {
        if (in.source() != SourceKind.LIVE_VOLUME) {
            return new BackupPlan.FullCopy(ImageNames.perBackup(in.volumeId(), in.backupId()), List.of(),
                    "the source is a " + (in.source() == SourceKind.TEMPORARY_CLONE ? "temporary clone" : "cinder snapshot")
                            + ", which carries no backup snapshots");
        }
        return in.layout() == BaseLayout.SINGLE_BASE ? singleBase(in) : perChain(in);
    }

    private static List<SourceSnapshot> backupSnapshots(List<String> names) {
        return names.stream().map(SourceSnapshot::parse).flatMap(Optional::stream)
                .sorted(SourceSnapshot.NEWEST_FIRST).toList();
    }

    private static BackupPlan singleBase(Inputs in) {
        String base = ImageNames.legacyBase(in.volumeId());
        List<SourceSnapshot> onSource = backupSnapshots(in.sourceSnapshots());
        String newSnap = in.newSnapshot().name();
        if (!in.backupPoolImages().contains(base)) {
            return new BackupPlan.Differential(base, true, null, newSnap, names(onSource), null, null);
        }
        Set<String> onBase = Set.copyOf(in.baseSnapshots().apply(base));
        Optional<SourceSnapshot> newest = onSource.stream().findFirst();
        if (newest.isPresent() && onBase.contains(newest.get().name())) {
            SourceSnapshot from = newest.get();
            return new BackupPlan.Differential(base, false, from.name(), newSnap, List.of(), from.name(), from.backupId());
        }
        List<String> stale = onSource.stream().map(SourceSnapshot::name).filter(n -> !onBase.contains(n)).toList();
        return new BackupPlan.FullCopy(ImageNames.perBackup(in.volumeId(), in.backupId()), stale,
                newest.isEmpty() ? "the source has no backup snapshot to diff from"
                        : "snapshot " + newest.get().name() + " of the source is not on " + base);
    }

    private static BackupPlan perChain(Inputs in) {
        List<SourceSnapshot> onSource = backupSnapshots(in.sourceSnapshots());
        String newSnap = in.newSnapshot().name();
        String ownBase = ImageNames.perBackup(in.volumeId(), in.backupId());
        if (in.parent() != null) {
            String base = ServiceMetadata.base(in.parent().serviceMetadata())
                    .orElse(ImageNames.perBackup(in.volumeId(), in.parent().id()));
            if (in.backupPoolImages().contains(base)) {
                Optional<String> fromOnBase = in.baseSnapshots().apply(base).stream()
                        .map(SourceSnapshot::parse).flatMap(Optional::stream)
                        .filter(s -> s.backupId().equals(in.parent().id()))
                        .max(Comparator.comparing(SourceSnapshot::numericTimestamp)).map(SourceSnapshot::name);
                if (fromOnBase.isPresent() && in.sourceSnapshots().contains(fromOnBase.get())) {
                    String from = fromOnBase.get();
                    List<String> stale = names(onSource).stream().filter(n -> !n.equals(from)).toList();
                    return new BackupPlan.Differential(base, false, from, newSnap, stale, from, in.parent().id());
                }
            }
        }
        // A full backup starts a chain of its own.
        return new BackupPlan.Differential(ownBase, true, null, newSnap, names(onSource), null, null);
    }

    private static List<String> names(List<SourceSnapshot> snaps) {
        return snaps.stream().map(SourceSnapshot::name).toList();
    }
}
