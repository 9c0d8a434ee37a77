package dev.ember.backup;

import dev.ember.db.BackupRepository;
import dev.ember.device.VolumeDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import dev.ember.model.Backup;
import dev.ember.model.BackupLifecycle;
import dev.ember.model.BackupStatus;
import dev.ember.model.Volume;
import dev.ember.model.VolumeStatus;
import org.jooq.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.ember.db.generated.Tables.VOLUMES;

/**
 * cinder's restore_backup on the manager: the driver writes the chain onto the target volume,
 * then the volume's metadata and key are restored and both the backup and the volume leave
 * {@code restoring}. A message delivered again after its restore ended touches nothing.
 */
final class BackupRestoration {

    private static final Logger LOG = LoggerFactory.getLogger(BackupRestoration.class);

    private final ManagerContext ctx;

    BackupRestoration(ManagerContext ctx) {
        this.ctx = ctx;
    }

    void run(String backupId, String volumeId) {
        Backup backup = ctx.tx(dsl -> ctx.backups().find(dsl, backupId)).orElse(null);
        Volume volume = ctx.tx(dsl -> ctx.volumes().find(dsl, volumeId)).orElse(null);
        if (backup == null || volume == null) {
            LOG.warn("restore_backup: backup {} or volume {} no longer exists", backupId, volumeId);
            return;
        }
        if (backup.status() != BackupStatus.RESTORING) {
            // The API set the backup restoring before casting; anything else means this message was
            // delivered again after the restore ended (a crash between commit and ack) or an admin
            // reset it meanwhile. cinder would put both in error; that would flip a finished
            // restore, or another restore onto the same volume, so nothing is touched.
            LOG.warn("restore_backup of backup {} to volume {} ignored: the backup is {} and the volume {}, "
                    + "so this restore already ended", backupId, volumeId, backup.status().value(), volume.status());
            return;
        }
        ctx.notifyUsage(backupId, "restore.start");
        if (!BackupLifecycle.VOLUME_RESTORED.allows(volume.status())) {
            // cinder's rule: a target that is not being restored fails the restore; compare-and-set
            // on what was read, so a change since then is not overwritten.
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.RESTORE_TARGET_NOT_RESTORING, backup, Map.of(),
                    new LifecycleRecorder.VolumeTarget(volumeId, volume.status(), Map.of())));
            return;
        }
        if (!ctx.isOurs(backup)) {
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.RESTORE_FOREIGN_BACKUP, backup, Map.of(),
                    LifecycleRecorder.VolumeTarget.of(volumeId)));
            return;
        }
        try {
            List<BackupRef> chain = BackupChain.of(ctx, backup);
            try (VolumeDevice device = ctx.volumeDevices().openRestoreTarget(volumeId)) {
                ctx.driver().restore(chain, device, () -> noLongerRestoring(backupId));
                device.flush();
            }
            RestoredVolumeMetadata.apply(ctx, backup, volume, ctx.driver().volumeMetadata(chain));
        } catch (BackupDriverException.Cancelled e) {
            LOG.warn("restore of backup {} cancelled", backupId);
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.RESTORE_CANCELLED, backup, Map.of(),
                    LifecycleRecorder.VolumeTarget.of(volumeId)));
            return;
        } catch (Exception e) {
            LOG.error("restore of backup {} to volume {} failed", backupId, volumeId, e);
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.RESTORE_FAILED, backup, Map.of(),
                    LifecycleRecorder.VolumeTarget.of(volumeId)));
            return;
        }
        ctx.txRun(dsl -> {
            Map<Field<?>, Object> vchanges = new HashMap<>();
            if (VolumeStatus.CREATING.is(volume.status())) {
                vchanges.put(VOLUMES.LAUNCHED_AT, BackupRepository.now());
            }
            String previous = ctx.volumes().metadata(dsl, volumeId).get("src_backup_id");
            if (!volumeId.equals(backup.volumeId()) || (previous != null && !previous.equals(backupId))) {
                ctx.volumes().putMetadata(dsl, volumeId, "src_backup_id", backupId);
            }
            ctx.lifecycle().apply(dsl, BackupLifecycle.RESTORE_FINISHED, backup, Map.of(),
                    new LifecycleRecorder.VolumeTarget(volumeId, null, vchanges));
        });
        LOG.info("backup {} restored to volume {}", backupId, volumeId);
        ctx.notifyUsage(backupId, "restore.end");
    }

    /** The driver's cancel check: the backup was reset or deleted while it was being restored. */
    private boolean noLongerRestoring(String backupId) {
        return ctx.tx(dsl -> ctx.backups().find(dsl, backupId)).map(b -> b.status() != BackupStatus.RESTORING)
                .orElse(true);
    }
}
