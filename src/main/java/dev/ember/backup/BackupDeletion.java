package dev.ember.backup;

import dev.ember.keymgr.KeyManagerException;
import dev.ember.model.Backup;
import dev.ember.model.BackupLifecycle;
import org.jooq.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;

import static dev.ember.backup.FailReason.describe;
import static dev.ember.backup.FailReason.truncate;
import static dev.ember.db.generated.Tables.BACKUPS;

/**
 * cinder's delete_backup on the manager: the driver removes the data, the backup's copy of the
 * volume key goes, the row is marked deleted. A backup that gained children since the API
 * checked goes back to what it was, its data untouched.
 */
final class BackupDeletion {

    private static final Logger LOG = LoggerFactory.getLogger(BackupDeletion.class);

    private final ManagerContext ctx;

    BackupDeletion(ManagerContext ctx) {
        this.ctx = ctx;
    }

    void run(String backupId) {
        Backup backup = ctx.tx(dsl -> ctx.backups().find(dsl, backupId)).orElse(null);
        if (backup == null) {
            return;
        }
        ctx.notifyUsage(backupId, "delete.start");
        if (BackupLifecycle.DELETE_NOT_DELETING.allows(backup.status())) {
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.DELETE_NOT_DELETING, backup, backup.status(),
                    Map.of(BACKUPS.FAIL_REASON, truncate("Delete_backup aborted, expected backup status deleting but got "
                            + backup.status().value() + ".")), LifecycleRecorder.VolumeTarget.none()));
            return;
        }
        if (backup.service() != null && !ctx.isOurs(backup)) {
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.DELETE_FOREIGN_BACKUP, backup,
                    Map.of(BACKUPS.FAIL_REASON, truncate("Delete backup aborted, the backup service currently "
                            + "configured [" + ctx.driver().serviceName() + "] is not the backup service that was used to "
                            + "create this backup [" + backup.service() + "].")),
                    LifecycleRecorder.VolumeTarget.none()));
            return;
        }
        // Serialised with backups of the same volume: the Ceph driver links a running backup to the
        // owner of its from-snapshot only when it finishes, after the API counted this backup's
        // children. Under the lock that link is either made (and seen below) or cannot be made.
        try (VolumeLocks.Held held = ctx.volumeLocks().lock(backup.volumeId())) {
            int children = ctx.tx(dsl -> ctx.backups().countChildren(dsl, backupId));
            if (children > 0) {
                // The data is untouched: back to what it was (an error backup carries its fail_reason).
                boolean wasError = backup.failReason() != null;
                LOG.warn("delete of backup {} aborted: {} backup(s) now depend on it", backupId, children);
                ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, wasError ? BackupLifecycle.DELETE_ABORTED_TO_ERROR
                                : BackupLifecycle.DELETE_ABORTED_TO_AVAILABLE, backup,
                        wasError ? Map.of()
                                : Map.of(BACKUPS.FAIL_REASON, "Delete aborted: incremental backups exist for this backup."),
                        LifecycleRecorder.VolumeTarget.none()));
                return;
            }
            if (backup.service() != null) {
                try {
                    ctx.driver().delete(backup.ref());
                } catch (Exception e) {
                    LOG.error("deleting backup {} failed", backupId, e);
                    ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.DELETE_FAILED, backup,
                            Map.of(BACKUPS.FAIL_REASON, truncate(describe(e))), LifecycleRecorder.VolumeTarget.none()));
                    return;
                }
            }
            // cinder's delete_backup: the backup's copy of the volume key goes with it.
            if (backup.encryptionKeyId() != null) {
                try {
                    ctx.keys().deleteKey(backup.encryptionKeyId());
                } catch (KeyManagerException | RuntimeException e) {
                    LOG.error("deleting the encryption key {} of backup {} failed", backup.encryptionKeyId(), backupId,
                            e);
                    ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.DELETE_FAILED, backup,
                            Map.of(BACKUPS.FAIL_REASON, truncate("Deleting the backup's encryption key "
                                    + backup.encryptionKeyId() + " failed: " + describe(e))),
                            LifecycleRecorder.VolumeTarget.none()));
                    return;
                }
                ctx.txRun(dsl -> ctx.backups().update(dsl, backupId,
                        Collections.<Field<?>, Object>singletonMap(BACKUPS.ENCRYPTION_KEY_ID, null)));
            }
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.DELETE_FINISHED, backup, Map.of(),
                    LifecycleRecorder.VolumeTarget.none()));
        }
        LOG.info("backup {} deleted", backupId);
        ctx.notifyUsage(backupId, "delete.end");
    }
}
