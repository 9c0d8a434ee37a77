package dev.ember.model;

import dev.ember.model.VolumeTransition.Previous;

import java.util.EnumSet;
import java.util.List;

import static dev.ember.model.VolumeStatus.AVAILABLE;
import static dev.ember.model.VolumeStatus.AWAITING_TRANSFER;
import static dev.ember.model.VolumeStatus.BACKING_UP;
import static dev.ember.model.VolumeStatus.CREATING;
import static dev.ember.model.VolumeStatus.DELETING;
import static dev.ember.model.VolumeStatus.DOWNLOADING;
import static dev.ember.model.VolumeStatus.ERROR;
import static dev.ember.model.VolumeStatus.ERROR_DELETING;
import static dev.ember.model.VolumeStatus.ERROR_EXTENDING;
import static dev.ember.model.VolumeStatus.ERROR_MANAGING;
import static dev.ember.model.VolumeStatus.ERROR_RESTORING;
import static dev.ember.model.VolumeStatus.EXTENDING;
import static dev.ember.model.VolumeStatus.IN_USE;
import static dev.ember.model.VolumeStatus.RESERVED;

/**
 * The state changes the embedded volume service makes itself (volume create, delete, extend,
 * reset-state, attachments; snapshot create and delete), one row each with cinder's equivalent
 * (cinder/volume/api.py, manager.py, Zed). The changes a backup makes to its volume or snapshot
 * are in {@link dev.ember.model.BackupLifecycle}. Pure.
 */
public final class VolumeLifecycle {

    private VolumeLifecycle() {
    }

    /** transfer/api.py create(): available → awaiting-transfer. */
    public static final VolumeTransition TRANSFER_OFFERED = VolumeTransition.to("TRANSFER_OFFERED",
            EnumSet.of(AVAILABLE), AWAITING_TRANSFER, Previous.KEEP);
    /** transfer/api.py delete() and accept(): awaiting-transfer → available (accept also changes the owner). */
    public static final VolumeTransition TRANSFER_ENDED = VolumeTransition.to("TRANSFER_ENDED",
            EnumSet.of(AWAITING_TRANSFER), AVAILABLE, Previous.KEEP);
    /** manager.py create_volume() success: available (with launched_at). */
    public static final VolumeTransition CREATED = VolumeTransition.to("CREATED", EnumSet.of(CREATING), AVAILABLE,
            Previous.KEEP);
    /** manager.py create_volume() failure: error. */
    public static final VolumeTransition CREATE_FAILED = VolumeTransition.to("CREATE_FAILED", EnumSet.of(CREATING),
            ERROR, Previous.KEEP);
    /** api.py delete(): expected statuses available, error, error_restoring, error_extending, error_managing → deleting. */
    public static final VolumeTransition DELETE_REQUESTED = VolumeTransition.to("DELETE_REQUESTED",
            EnumSet.of(AVAILABLE, ERROR, ERROR_RESTORING, ERROR_EXTENDING, ERROR_MANAGING), DELETING, Previous.KEEP);
    /** manager.py delete_volume() failure: error_deleting. */
    public static final VolumeTransition DELETE_FAILED = VolumeTransition.to("DELETE_FAILED", EnumSet.of(DELETING),
            ERROR_DELETING, Previous.KEEP);
    /**
     * admin_actions.py VolumeAdminController reset_status: the admin's status, from any (the
     * controller refuses deleting, and in-use without an attachment).
     */
    public static final VolumeTransition RESET_STATUS = VolumeTransition.requested("RESET_STATUS",
            VolumeTransition.any());
    /** api.py extend() (_extend): available (3.42: or in-use) → extending, previous_status := that status. */
    public static final VolumeTransition EXTEND_STARTED = VolumeTransition.to("EXTEND_STARTED",
            EnumSet.of(AVAILABLE, IN_USE), EXTENDING, Previous.STASH);
    /** manager.py extend_volume() success: back to previous_status, previous_status := extending. */
    public static final VolumeTransition EXTEND_FINISHED = VolumeTransition.back("EXTEND_FINISHED",
            EnumSet.of(EXTENDING), Previous.set(EXTENDING));
    /** manager.py extend_volume() failure: error_extending. */
    public static final VolumeTransition EXTEND_FAILED = VolumeTransition.to("EXTEND_FAILED", EnumSet.of(EXTENDING),
            ERROR_EXTENDING, Previous.KEEP);
    /**
     * api.py _attachment_reserve(): available or downloading (multiattach: also in-use) → reserved.
     * The caller checks multiattach.
     */
    public static final VolumeTransition ATTACH_RESERVED = VolumeTransition.to("ATTACH_RESERVED",
            EnumSet.of(AVAILABLE, IN_USE, DOWNLOADING), RESERVED, Previous.KEEP);
    /** manager.py attachment_update(): attaching (attach_status attaching), whatever the status was. */
    public static final VolumeTransition ATTACHING = VolumeTransition.to("ATTACHING", VolumeTransition.any(),
            VolumeStatus.ATTACHING, Previous.KEEP);
    /** api.py attachment_complete(), attachment_delete() with attachments left: in-use. */
    public static final VolumeTransition ATTACHED = VolumeTransition.to("ATTACHED",
            VolumeTransition.anyBut(BACKING_UP), IN_USE, Previous.KEEP);
    /** api.py attachment_delete() of the last attachment: available. */
    public static final VolumeTransition DETACHED = VolumeTransition.to("DETACHED",
            VolumeTransition.anyBut(BACKING_UP), AVAILABLE, Previous.KEEP);
    /**
     * Ember: {@link #ATTACHED} while a backup reads the volume: it stays backing-up and the status
     * it returns to afterwards (previous_status) becomes in-use.
     */
    public static final VolumeTransition ATTACHED_WHILE_BACKING_UP = VolumeTransition.to(
            "ATTACHED_WHILE_BACKING_UP", EnumSet.of(BACKING_UP), BACKING_UP, Previous.set(IN_USE));
    /** Ember: {@link #DETACHED} while a backup reads the volume: previous_status becomes available. */
    public static final VolumeTransition DETACHED_WHILE_BACKING_UP = VolumeTransition.to(
            "DETACHED_WHILE_BACKING_UP", EnumSet.of(BACKING_UP), BACKING_UP, Previous.set(AVAILABLE));

    /** manager.py create_snapshot() success: available, progress 100%. */
    public static final SnapshotTransition SNAPSHOT_CREATED = new SnapshotTransition("SNAPSHOT_CREATED",
            EnumSet.of(SnapshotStatus.CREATING), SnapshotStatus.AVAILABLE);
    /** manager.py create_snapshot() failure: error. */
    public static final SnapshotTransition SNAPSHOT_CREATE_FAILED = new SnapshotTransition("SNAPSHOT_CREATE_FAILED",
            EnumSet.of(SnapshotStatus.CREATING), SnapshotStatus.ERROR);
    /** api.py delete_snapshot(): available or error → deleting. */
    public static final SnapshotTransition SNAPSHOT_DELETE_REQUESTED = new SnapshotTransition(
            "SNAPSHOT_DELETE_REQUESTED", EnumSet.of(SnapshotStatus.AVAILABLE, SnapshotStatus.ERROR),
            SnapshotStatus.DELETING);
    /** manager.py delete_snapshot() failure: error_deleting. */
    public static final SnapshotTransition SNAPSHOT_DELETE_FAILED = new SnapshotTransition("SNAPSHOT_DELETE_FAILED",
            EnumSet.of(SnapshotStatus.DELETING), SnapshotStatus.ERROR_DELETING);

    /** The volume rows, in the order above. */
    public static List<VolumeTransition> volumeRows() {
        return List.of(CREATED, CREATE_FAILED, DELETE_REQUESTED, DELETE_FAILED, RESET_STATUS, EXTEND_STARTED,
                EXTEND_FINISHED, EXTEND_FAILED, ATTACH_RESERVED, ATTACHING, ATTACHED, DETACHED,
                ATTACHED_WHILE_BACKING_UP, DETACHED_WHILE_BACKING_UP);
    }
}
