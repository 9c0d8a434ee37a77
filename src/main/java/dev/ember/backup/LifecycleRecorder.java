package dev.ember.backup;

import dev.ember.model.Backup;
import dev.ember.model.BackupStatus;

import dev.ember.model.BackupLifecycle;

import dev.ember.model.BackupLifecycle.Transition;
import dev.ember.db.BackupRepository;
import dev.ember.db.QuotaRepository;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.VolumeRepository;
import org.jooq.DSLContext;
import org.jooq.Field;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.ember.db.generated.Tables.BACKUPS;

/**
 * Records a {@link BackupLifecycle} transition with all its effects in the caller's transaction:
 * quota first (usage is derived from the backup rows on a project's first change), then the
 * volume's or the snapshot's compare-and-set, then the backup's (each applied whether or not the
 * other moved, as cinder's manager does), then the parent's dependent count if the backup moved.
 * Blocking.
 */
public final class LifecycleRecorder {

    private final BackupRepository backups;
    private final VolumeRepository volumes;
    private final SnapshotRepository snapshots;
    private final QuotaRepository quotas;

    public LifecycleRecorder(BackupRepository backups, VolumeRepository volumes, SnapshotRepository snapshots,
                             QuotaRepository quotas) {
        this.backups = backups;
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.quotas = quotas;
    }

    /**
     * The volume a transition's volume part applies to.
     *
     * @param id       the volume (null: none)
     * @param expected the status it must still have, as read by the caller (null: any the
     *                 transition allows)
     * @param changes  other columns set with the status
     */
    public record VolumeTarget(String id, String expected, Map<Field<?>, Object> changes) {
        public static VolumeTarget of(String id) {
            return new VolumeTarget(id, null, Map.of());
        }

        public static VolumeTarget none() {
            return new VolumeTarget(null, null, Map.of());
        }
    }

    /**
     * A transition that creates the backup row ({@link BackupLifecycle#CREATE_REQUESTED},
     * {@link BackupLifecycle#IMPORT_REQUESTED}): the quota reservation (whose
     * {@link QuotaRepository.OverQuotaException} the caller turns into cinder's error), the row
     * (revived over a deleted one with {@code revive}), and the volume's or snapshot's part.
     */
    public void insert(DSLContext dsl, Transition t, Backup row, boolean revive, VolumeTarget volume) {
        if (!t.createsRow() || row.status() != t.to()) {
            throw new IllegalArgumentException(t.name() + " does not create a " + row.status().value() + " backup");
        }
        reserve(dsl, t, row);
        if (revive) {
            backups.revive(dsl, row);
        } else {
            backups.insert(dsl, row);
        }
        sourceOrTarget(dsl, t, row, volume);
    }

    /** {@link #apply(DSLContext, Transition, Backup, BackupStatus, Map, VolumeTarget)} from any status {@code t} allows. */
    public boolean apply(DSLContext dsl, Transition t, Backup b, Map<Field<?>, Object> changes, VolumeTarget volume) {
        return apply(dsl, t, b, null, changes, volume);
    }

    /**
     * Applies {@code t} to backup {@code b} (as read by the caller): with {@code expected} set,
     * only if the backup is still in that status. {@code changes} are the backup's other columns.
     * Returns whether the backup moved (for a transition that leaves the backup alone, false).
     */
    public boolean apply(DSLContext dsl, Transition t, Backup b, BackupStatus expected, Map<Field<?>, Object> changes,
                         VolumeTarget volume) {
        if (t.createsRow()) {
            throw new IllegalArgumentException(t.name() + " creates the row: use insert");
        }
        reserve(dsl, t, b);
        // The volume before the backup: the order in which the API locks them (create, restore).
        sourceOrTarget(dsl, t, b, volume);
        boolean moved = t.movesBackup() && backups.apply(dsl, t, b.id(), expected, changes);
        if (moved && t.refreshesParent()) {
            Set<String> parents = new LinkedHashSet<>();
            parents.add(b.parentId());
            // A driver may have relinked the chain, and an import brings its own parent.
            if (changes.containsKey(BACKUPS.PARENT_ID)) {
                parents.add((String) changes.get(BACKUPS.PARENT_ID));
            }
            parents.stream().filter(Objects::nonNull).forEach(p -> backups.refreshDependentCount(dsl, p));
        }
        return moved;
    }

    private void reserve(DSLContext dsl, Transition t, Backup b) {
        if (t.quota() != BackupLifecycle.Quota.NONE) {
            quotas.reserveAndCommit(dsl, b.projectId(), t.quota().deltas(b.size()));
        }
    }

    /** The snapshot's part for a backup of a snapshot, else the volume's. */
    private void sourceOrTarget(DSLContext dsl, Transition t, Backup b, VolumeTarget volume) {
        if (t.snapshot() != null && b.snapshotId() != null) {
            snapshots.apply(dsl, t.snapshot(), b.snapshotId(), Map.of());
        } else if (t.volume() != null && volume.id() != null) {
            volumes.apply(dsl, t.volume(), volume.id(), volume.expected(), volume.changes());
        }
    }
}
