package dev.ember.model;

import dev.ember.model.VolumeTransition.Previous;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ember.model.BackupStatus.AVAILABLE;
import static dev.ember.model.BackupStatus.CREATING;
import static dev.ember.model.BackupStatus.DELETED;
import static dev.ember.model.BackupStatus.DELETING;
import static dev.ember.model.BackupStatus.ERROR;
import static dev.ember.model.BackupStatus.RESTORING;

/**
 * Every state change of a backup, in one table: from which backup statuses it is allowed, the
 * status it sets, and what it does at the same time to the backup's volume (the source of a
 * create, the target of a restore), to the snapshot a backup is taken from, to the project's
 * backup quota and to the parent's {@code num_dependent_backups}. Each row names where cinder
 * (Zed, cinder/backup/api.py, manager.py, scheduler/manager.py) makes the same change, so the
 * table can be checked against cinder's at a glance. {@link LifecycleRecorder} applies a row in
 * one transaction, each status as a compare-and-set; this class is pure.
 *
 * <p>Ember's departures from cinder are marked "Ember:" in the row's comment.
 */
public final class BackupLifecycle {

    private BackupLifecycle() {
    }

    /** What a transition does to the project's backup quota ({@code backups}, {@code backup_gigabytes}). */
    public enum Quota {
        NONE, RESERVE, RELEASE;

        /** The reservation deltas for a backup of {@code sizeGb}; empty for NONE. */
        public Map<String, Integer> deltas(int sizeGb) {
            Map<String, Integer> d = new LinkedHashMap<>();
            if (this != NONE) {
                int sign = this == RESERVE ? 1 : -1;
                d.put(QuotaResources.BACKUPS, sign);
                d.put(QuotaResources.BACKUP_GIGABYTES, sign * sizeGb);
            }
            return d;
        }
    }

    /**
     * One named transition.
     *
     * @param name            the row's name
     * @param from            backup statuses it may start from; empty for the rows that create the
     *                        backup row (there is no status to compare)
     * @param to              the backup's new status; null for {@link #RESET_STATUS} (the admin's)
     *                        and for {@link #RESTORE_CANCELLED} (the backup is left as it is)
     * @param volume          the volume's transition: the source volume for a create (unless the
     *                        backup is of a snapshot), the target volume for a restore; null: none
     * @param snapshot        the snapshot's transition for a backup of a snapshot; null: none
     * @param quota           applied before the backup row changes, whatever the outcome of the
     *                        compare-and-set (quota usage is derived from the rows on first use)
     * @param refreshesParent whether the parent's {@code num_dependent_backups} is recomputed
     *                        when the backup moved
     */
    public record Transition(String name, Set<BackupStatus> from, BackupStatus to, VolumeTransition volume,
                             SnapshotTransition snapshot, Quota quota, boolean refreshesParent) {

        public Transition {
            from = from.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(from));
        }

        /** Whether a backup in {@code status} may take this transition. */
        public boolean allows(BackupStatus status) {
            return from.contains(status);
        }

        /** Whether the row creates the backup (no compare-and-set of a status). */
        public boolean createsRow() {
            return from.isEmpty() && to != null;
        }

        /** Whether the backup row's status changes at all. */
        public boolean movesBackup() {
            return !from.isEmpty() && to != null;
        }

        /** This {@link #RESET_STATUS} row with the admin's target. */
        public Transition withTarget(BackupStatus target) {
            if (to != null || from.isEmpty()) {
                throw new IllegalStateException(name + " has a fixed target");
            }
            return new Transition(name, from, target, volume, snapshot, quota, refreshesParent);
        }
    }

    private static final Set<BackupStatus> ANY = EnumSet.allOf(BackupStatus.class);
    private static final Set<BackupStatus> NEW_ROW = Set.of();

    // ------------------------------------------------------------ the volume's and snapshot's part

    /** api.py create(): volume_update {status: backing-up, previous_status: <its status>}. */
    public static final VolumeTransition VOLUME_BACKING_UP = VolumeTransition.to("volume backing-up",
            EnumSet.of(VolumeStatus.AVAILABLE, VolumeStatus.IN_USE), VolumeStatus.BACKING_UP, Previous.STASH);
    /** manager.py _finish_backup(), scheduler ServiceNotFound: {status: previous_status, previous_status: backing-up}. */
    public static final VolumeTransition VOLUME_BACKED_UP = VolumeTransition.back("volume backed up",
            EnumSet.of(VolumeStatus.BACKING_UP), Previous.set(VolumeStatus.BACKING_UP));
    /** manager.py create_backup()/continue_backup() except: {status: previous_status, previous_status: error_backing-up}. */
    public static final VolumeTransition VOLUME_BACKUP_FAILED = VolumeTransition.back("volume backup failed",
            EnumSet.of(VolumeStatus.BACKING_UP), Previous.set(VolumeStatus.ERROR_BACKING_UP));
    /** api.py restore(): volume_update {status: restoring-backup} (after checking it is available). */
    public static final VolumeTransition VOLUME_RESTORING = VolumeTransition.to("volume restoring",
            EnumSet.of(VolumeStatus.AVAILABLE), VolumeStatus.RESTORING_BACKUP, Previous.KEEP);
    /** manager.py restore_backup() end: volume.status = available (creating: create-from-backup). */
    public static final VolumeTransition VOLUME_RESTORED = VolumeTransition.to("volume restored",
            EnumSet.of(VolumeStatus.RESTORING_BACKUP, VolumeStatus.CREATING), VolumeStatus.AVAILABLE, Previous.KEEP);
    /**
     * manager.py restore_backup() except around _run_restore: error_restoring. Ember: also from
     * creating (cinder sets error there), as Ember always did.
     */
    public static final VolumeTransition VOLUME_RESTORE_FAILED = VolumeTransition.to("volume restore failed",
            EnumSet.of(VolumeStatus.RESTORING_BACKUP, VolumeStatus.CREATING), VolumeStatus.ERROR_RESTORING,
            Previous.KEEP);
    /**
     * manager.py restore_backup(): a target not in restoring-backup/creating goes to
     * error_restoring. Applied on the status the manager read (the caller passes it).
     */
    public static final VolumeTransition VOLUME_NOT_RESTORING = VolumeTransition.to("volume not restoring",
            VolumeTransition.anyBut(VolumeStatus.RESTORING_BACKUP, VolumeStatus.CREATING),
            VolumeStatus.ERROR_RESTORING, Previous.KEEP);
    /** manager.py restore_backup(): not our backup, or the restore cancelled: volume error. */
    public static final VolumeTransition VOLUME_RESTORE_ERROR = VolumeTransition.to("volume restore error",
            EnumSet.of(VolumeStatus.RESTORING_BACKUP, VolumeStatus.CREATING), VolumeStatus.ERROR, Previous.KEEP);
    /** manager.py _cleanup_one_volume(): restoring-backup → error_restoring at startup. */
    public static final VolumeTransition VOLUME_RESTORE_INTERRUPTED = VolumeTransition.to(
            "volume restore interrupted", EnumSet.of(VolumeStatus.RESTORING_BACKUP), VolumeStatus.ERROR_RESTORING,
            Previous.KEEP);

    /** api.py create() with snapshot_id: snapshot status backing-up (after checking it is available). */
    public static final SnapshotTransition SNAPSHOT_BACKING_UP = new SnapshotTransition("snapshot backing-up",
            EnumSet.of(SnapshotStatus.AVAILABLE), SnapshotStatus.BACKING_UP);
    /** manager.py _finish_backup() and the create failures: snapshot back to available. */
    public static final SnapshotTransition SNAPSHOT_BACKED_UP = new SnapshotTransition("snapshot backed up",
            EnumSet.of(SnapshotStatus.BACKING_UP), SnapshotStatus.AVAILABLE);

    // ------------------------------------------------------------ create

    /** api.py create(): QUOTAS.reserve+commit, volume/snapshot backing-up, Backup(status=creating).create(). */
    public static final Transition CREATE_REQUESTED = new Transition("CREATE_REQUESTED", NEW_ROW, CREATING,
            VOLUME_BACKING_UP, SNAPSHOT_BACKING_UP, Quota.RESERVE, false);
    /**
     * scheduler/manager.py create_backup() on ServiceNotFound: volume back, backup error "Service
     * not found for creating backup." Ember: decided in the API (no scheduler), in the same
     * transaction; a snapshot goes back to available.
     */
    public static final Transition CREATE_UNSCHEDULED = new Transition("CREATE_UNSCHEDULED", Set.of(CREATING), ERROR,
            VOLUME_BACKED_UP, SNAPSHOT_BACKED_UP, Quota.NONE, false);
    /**
     * manager.py _finish_backup(): volume back to previous_status (snapshot available), backup
     * available unless deleting/deleted meanwhile (Ember: unless no longer creating), parent's
     * num_dependent_backups += 1 (Ember: recomputed).
     */
    public static final Transition CREATE_FINISHED = new Transition("CREATE_FINISHED", Set.of(CREATING), AVAILABLE,
            VOLUME_BACKED_UP, SNAPSHOT_BACKED_UP, Quota.NONE, true);
    /**
     * manager.py create_backup()/continue_backup() failure, and _cleanup_one_backup() of a
     * creating backup at startup: update_backup_error (error + fail_reason), volume back with
     * previous_status error_backing-up, snapshot available. Quota is not released.
     */
    public static final Transition CREATE_FAILED = new Transition("CREATE_FAILED", Set.of(CREATING), ERROR,
            VOLUME_BACKUP_FAILED, SNAPSHOT_BACKED_UP, Quota.NONE, false);

    // ------------------------------------------------------------ restore

    /** api.py restore(): backup must be available; backup restoring (host, restore_volume_id), volume restoring-backup. */
    public static final Transition RESTORE_REQUESTED = new Transition("RESTORE_REQUESTED", Set.of(AVAILABLE),
            RESTORING, VOLUME_RESTORING, null, Quota.NONE, false);
    /** manager.py restore_backup() success: volume available, backup available. */
    public static final Transition RESTORE_FINISHED = new Transition("RESTORE_FINISHED", Set.of(RESTORING),
            AVAILABLE, VOLUME_RESTORED, null, Quota.NONE, false);
    /** manager.py restore_backup() driver failure: volume error_restoring, backup available. */
    public static final Transition RESTORE_FAILED = new Transition("RESTORE_FAILED", Set.of(RESTORING),
            AVAILABLE, VOLUME_RESTORE_FAILED, null, Quota.NONE, false);
    /** manager.py restore_backup(): target volume not restoring-backup/creating: backup available, volume error_restoring. */
    public static final Transition RESTORE_TARGET_NOT_RESTORING = new Transition("RESTORE_TARGET_NOT_RESTORING",
            Set.of(RESTORING), AVAILABLE, VOLUME_NOT_RESTORING, null, Quota.NONE, false);
    /** manager.py restore_backup(): not _is_our_backup: backup available, volume error. */
    public static final Transition RESTORE_FOREIGN_BACKUP = new Transition("RESTORE_FOREIGN_BACKUP",
            Set.of(RESTORING), AVAILABLE, VOLUME_RESTORE_ERROR, null, Quota.NONE, false);
    /**
     * manager.py restore_backup() BackupRestoreCancel: volume error; the backup, whose status
     * change away from restoring was the cancel, is left as it is.
     */
    public static final Transition RESTORE_CANCELLED = new Transition("RESTORE_CANCELLED", Set.of(), null,
            VOLUME_RESTORE_ERROR, null, Quota.NONE, false);
    /** manager.py _cleanup_one_backup() of a restoring backup at startup: volume error_restoring, backup available. */
    public static final Transition RESTORE_INTERRUPTED = new Transition("RESTORE_INTERRUPTED", Set.of(RESTORING),
            AVAILABLE, VOLUME_RESTORE_INTERRUPTED, null, Quota.NONE, false);

    // ------------------------------------------------------------ delete

    /** api.py delete(): status must be available or error; backup deleting, host re-picked. */
    public static final Transition DELETE_REQUESTED = new Transition("DELETE_REQUESTED", Set.of(AVAILABLE, ERROR),
            DELETING, null, null, Quota.NONE, false);
    /** api.py delete(force=True) (os-force_delete): any status; backup deleting. */
    public static final Transition FORCE_DELETE_REQUESTED = new Transition("FORCE_DELETE_REQUESTED", ANY, DELETING,
            null, null, Quota.NONE, false);
    /**
     * manager.py delete_backup(): "Delete_backup aborted, expected backup status deleting but got
     * X.": update_backup_error. Applied on the status the manager read (the caller passes it).
     */
    public static final Transition DELETE_NOT_DELETING = new Transition("DELETE_NOT_DELETING",
            EnumSet.complementOf(EnumSet.of(DELETING)), ERROR, null, null, Quota.NONE, false);
    /** manager.py delete_backup(): not _is_our_backup: update_backup_error. */
    public static final Transition DELETE_FOREIGN_BACKUP = new Transition("DELETE_FOREIGN_BACKUP", Set.of(DELETING),
            ERROR, null, null, Quota.NONE, false);
    /** manager.py delete_backup(): driver (Ember: or key manager) failure: update_backup_error, error not error_deleting. */
    public static final Transition DELETE_FAILED = new Transition("DELETE_FAILED", Set.of(DELETING), ERROR,
            null, null, Quota.NONE, false);
    /**
     * Ember: an incremental of the backup appeared after the API counted children (the Ceph
     * driver links a running backup at its end): the delete stops and the backup, whose data is
     * untouched, goes back to available. cinder has no such check.
     */
    public static final Transition DELETE_ABORTED_TO_AVAILABLE = new Transition("DELETE_ABORTED_TO_AVAILABLE",
            Set.of(DELETING), AVAILABLE, null, null, Quota.NONE, false);
    /** Ember: as {@link #DELETE_ABORTED_TO_AVAILABLE} for a backup that carries a fail_reason: back to error. */
    public static final Transition DELETE_ABORTED_TO_ERROR = new Transition("DELETE_ABORTED_TO_ERROR",
            Set.of(DELETING), ERROR, null, null, Quota.NONE, false);
    /**
     * manager.py delete_backup() success: QUOTAS.reserve(backups -1, backup_gigabytes -size) +
     * commit, backup.destroy() (soft delete, whatever the status is by then), parent's
     * num_dependent_backups -= 1 (Ember: recomputed).
     */
    public static final Transition DELETE_FINISHED = new Transition("DELETE_FINISHED", ANY, DELETED, null, null,
            Quota.RELEASE, true);

    // ------------------------------------------------------------ admin, import

    /**
     * manager.py reset_status(): backup.status = the admin's status, from any status (the API,
     * admin_actions.py, accepts only available and error). Ember: also when backup.service is
     * None, and the parent's count is recomputed.
     */
    public static final Transition RESET_STATUS = new Transition("RESET_STATUS", ANY, null, null, null,
            Quota.NONE, true);
    /** api.py import_record(): QUOTAS.reserve+commit, Backup(status=creating) created or the deleted row revived. */
    public static final Transition IMPORT_REQUESTED = new Transition("IMPORT_REQUESTED", NEW_ROW, CREATING,
            null, null, Quota.RESERVE, false);
    /** manager.py import_record() success: the record's fields, then status available. */
    public static final Transition IMPORT_FINISHED = new Transition("IMPORT_FINISHED", Set.of(CREATING), AVAILABLE,
            null, null, Quota.NONE, true);
    /** manager.py import_record(): no host's driver matches, or the record is invalid: update_backup_error. */
    public static final Transition IMPORT_FAILED = new Transition("IMPORT_FAILED", Set.of(CREATING), ERROR,
            null, null, Quota.NONE, false);

    /** api.py export_record() and manager.py export_record(): the only status a backup is exported from. */
    public static final Set<BackupStatus> EXPORTABLE = Set.of(AVAILABLE);

    /** The whole table, in the order above. */
    public static List<Transition> all() {
        return List.of(CREATE_REQUESTED, CREATE_UNSCHEDULED, CREATE_FINISHED, CREATE_FAILED,
                RESTORE_REQUESTED, RESTORE_FINISHED, RESTORE_FAILED, RESTORE_TARGET_NOT_RESTORING,
                RESTORE_FOREIGN_BACKUP, RESTORE_CANCELLED, RESTORE_INTERRUPTED,
                DELETE_REQUESTED, FORCE_DELETE_REQUESTED, DELETE_NOT_DELETING, DELETE_FOREIGN_BACKUP, DELETE_FAILED,
                DELETE_ABORTED_TO_AVAILABLE, DELETE_ABORTED_TO_ERROR, DELETE_FINISHED,
                RESET_STATUS, IMPORT_REQUESTED, IMPORT_FINISHED, IMPORT_FAILED);
    }
}
