package dev.ember.backup;

import dev.ember.device.VolumeDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.SiblingBackups;
import dev.ember.keymgr.KeyManagerException;
import dev.ember.model.Backup;
import dev.ember.model.BackupLifecycle;
import dev.ember.model.Snapshot;
import dev.ember.model.SnapshotStatus;
import dev.ember.model.Volume;
import dev.ember.model.VolumeStatus;
import org.jooq.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

import static dev.ember.backup.FailReason.describe;
import static dev.ember.backup.FailReason.truncate;
import static dev.ember.db.generated.Tables.BACKUPS;

/**
 * cinder's create_backup on the manager: checks the backup, its volume or snapshot are still
 * as the API left them, copies the volume's key, runs the driver under the volume's lock and
 * records the backup available (or in error, the volume back to its previous status). A driver
 * failure that also left data behind hands its removal to {@link LeftoverCleanup}.
 */
final class BackupCreation {

    private static final Logger LOG = LoggerFactory.getLogger(BackupCreation.class);

    private final ManagerContext ctx;
    private final LeftoverCleanup leftovers;

    BackupCreation(ManagerContext ctx, LeftoverCleanup leftovers) {
        this.ctx = ctx;
        this.leftovers = leftovers;
    }

    void run(String backupId) {
        // The backup, its volume and its snapshot in one read.
        record Start(Backup backup, Volume volume, Snapshot snapshot) {
        }
        Start start = ctx.tx(dsl -> ctx.backups().find(dsl, backupId).map(b -> new Start(b,
                ctx.volumes().find(dsl, b.volumeId()).orElse(null),
                b.snapshotId() == null ? null : ctx.snapshots().find(dsl, b.snapshotId()).orElse(null)))).orElse(null);
        if (start == null) {
            LOG.warn("create_backup: backup {} no longer exists", backupId);
            return;
        }
        Backup backup = start.backup();
        Volume volume = start.volume();
        ctx.notifyUsage(backupId, "create.start");
        if (!BackupLifecycle.CREATE_FINISHED.allows(backup.status())) {
            fail(backup, volume, "Create backup aborted, expected backup status creating but got "
                    + backup.status().value() + ".");
            return;
        }
        if (backup.snapshotId() != null) {
            Snapshot snap = start.snapshot();
            if (volume == null || snap == null || !SnapshotStatus.BACKING_UP.is(snap.status())) {
                fail(backup, volume, "Create backup aborted, expected snapshot status backing-up but got "
                        + (snap == null ? "None" : snap.status()) + ".");
                return;
            }
        } else if (volume == null || !VolumeStatus.BACKING_UP.is(volume.status())) {
            fail(backup, volume, "Create backup aborted, expected volume status backing-up but got "
                    + (volume == null ? "None" : volume.status()) + ".");
            return;
        }
        // cinder's _start_backup: backup.service; with it, in the same transaction, the reads the
        // driver needs: cinder's BackupMetadataAPI.get (the volume's metadata, stored with the data
        // by the driver) and the parent.
        record Inputs(String volumeMeta, Backup parent) {
        }
        Inputs inputs = ctx.tx(dsl -> {
            ctx.backups().update(dsl, backupId, Map.of(BACKUPS.SERVICE, ctx.driver().serviceName()));
            return new Inputs(BackupMetadataApi.get(dsl, volume.id()),
                    backup.parentId() == null ? null : ctx.backups().find(dsl, backup.parentId()).orElse(null));
        });
        // cinder's _start_backup: a copy of the volume's key, so the backup outlives the volume's.
        if (volume.encryptionKeyId() != null && backup.encryptionKeyId() == null) {
            String clone;
            try {
                clone = ctx.keys().cloneKey(volume.encryptionKeyId());
            } catch (KeyManagerException | RuntimeException e) {
                fail(backup, volume, describe(e));
                return;
            }
            ctx.txRun(dsl -> ctx.backups().update(dsl, backupId, Map.of(BACKUPS.ENCRYPTION_KEY_ID, clone)));
        }
        String volumeMeta = inputs.volumeMeta();
        Backup parent = inputs.parent();
        if (backup.parentId() != null && parent == null) {
            fail(backup, volume, "Parent backup " + backup.parentId() + " no longer exists.");
            return;
        }
        // The volume's lock is held until the backup is recorded with the parent its data has: a
        // delete of that parent (serialised on the same lock) then sees the child.
        boolean finished;
        try (VolumeLocks.Held held = ctx.volumeLocks().lock(volume.id())) {
            // Read under the lock: which source snapshots other projects' chains still need.
            var rows = ctx.tx(dsl -> ctx.backups().siblingsOf(dsl, volume.id(), backup.projectId(), backupId));
            SiblingBackups siblings = new SiblingBackups(rows.ownProject(), rows.otherHeads());
            BackupOutcome outcome;
            try (VolumeDevice device = ctx.volumeDevices().openBackupSource(volume, backup.snapshotId())) {
                outcome = ctx.driver().backup(backup.ref().withVolumeMeta(volumeMeta),
                        parent == null ? null : parent.ref(), siblings, device, new CreationProgress(ctx, backupId));
            } catch (BackupDriverException.LeftoversRemain e) {
                fail(backup, volume, e.getMessage());
                String volumeId = volume.id();
                leftovers.schedule(backupId, () -> {
                    try (VolumeLocks.Held cleanupHeld = ctx.volumeLocks().lock(volumeId)) {
                        ctx.driver().cleanupFailed(backup.ref(),
                                () -> backup.snapshotId() != null ? null : ctx.volumeDevices().openForCleanup(volumeId));
                    }
                });
                return;
            } catch (BackupDriverException e) {
                fail(backup, volume, e.getMessage());
                return;
            } catch (Exception e) {
                LOG.error("backup {} failed", backupId, e);
                fail(backup, volume, describe(e));
                return;
            }
            String parentId = outcome.parent() instanceof BackupOutcome.ParentLink.Parent p ? p.id() : backup.parentId();
            Map<Field<?>, Object> changes = new HashMap<>();
            changes.put(BACKUPS.CONTAINER, outcome.container());
            changes.put(BACKUPS.SERVICE_METADATA, outcome.serviceMetadata());
            changes.put(BACKUPS.OBJECT_COUNT, outcome.objectCount());
            changes.put(BACKUPS.SIZE, volume.size());
            // Both the requested and the real parent are recounted: a driver may have relinked the chain.
            changes.put(BACKUPS.PARENT_ID, parentId);
            finished = ctx.tx(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.CREATE_FINISHED, backup, changes,
                    LifecycleRecorder.VolumeTarget.of(volume.id())));
        }
        if (!finished) {
            // The backup was deleted or reset while its data was written: cinder leaves it alone.
            LOG.info("backup {} changed state during creation; leaving it as it is", backupId);
        } else {
            LOG.info("backup {} of volume {} is available", backupId, volume.id());
            ctx.notifyUsage(backupId, "create.end");
        }
    }

    /**
     * The backup to error with {@code reason}; the volume, if it was read as backing-up and still
     * is, back to its previous status (a snapshot back to available).
     */
    void fail(Backup backup, Volume volume, String reason) {
        LOG.warn("backup {} failed: {}", backup.id(), reason);
        ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.CREATE_FAILED, backup,
                Map.of(BACKUPS.FAIL_REASON, truncate(reason)), volume == null ? LifecycleRecorder.VolumeTarget.none()
                        : new LifecycleRecorder.VolumeTarget(volume.id(), volume.status(), Map.of())));
    }
}
