package dev.ember.backup;

import dev.ember.model.Backup;
import dev.ember.model.BackupLifecycle;
import dev.ember.model.BackupStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * cinder's reset_status on the manager: an admin sets a backup's status, through the lifecycle
 * table's reset row; a backup another driver made is left alone.
 */
final class StatusReset {

    private static final Logger LOG = LoggerFactory.getLogger(StatusReset.class);

    private final ManagerContext ctx;

    StatusReset(ManagerContext ctx) {
        this.ctx = ctx;
    }

    void run(String backupId, String status) {
        Backup backup = ctx.tx(dsl -> ctx.backups().find(dsl, backupId)).orElse(null);
        if (backup == null) {
            return;
        }
        if (backup.service() != null && !ctx.isOurs(backup)) {
            LOG.warn("reset_status of backup {}: it belongs to driver {}", backupId, backup.service());
            return;
        }
        BackupStatus to = BackupStatus.of(status);
        ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.RESET_STATUS.withTarget(to), backup, Map.of(),
                LifecycleRecorder.VolumeTarget.none()));
        ctx.notifyUsage(backupId, "reset_status.end");
    }
}
