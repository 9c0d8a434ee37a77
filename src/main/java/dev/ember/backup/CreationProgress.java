package dev.ember.backup;

import dev.ember.driver.ProgressListener;
import dev.ember.model.Backup;
import dev.ember.model.BackupStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Progress that stops the backup once its row is no longer {@code creating} (force-deleted or
 * reset meanwhile), looking at most once a second: the driver then removes what it wrote
 * instead of writing on for a backup nobody will record.
 */
final class CreationProgress implements ProgressListener {

    private static final Logger LOG = LoggerFactory.getLogger(CreationProgress.class);
    private static final long CHECK_EVERY = TimeUnit.SECONDS.toNanos(1);

    private final ManagerContext ctx;
    private final String backupId;
    private long nextCheck = System.nanoTime() + CHECK_EVERY;

    CreationProgress(ManagerContext ctx, String backupId) {
        this.ctx = ctx;
        this.backupId = backupId;
    }

    @Override
    public void progress(long done) {
        LOG.debug("backup {}: {} bytes", backupId, done);
        long now = System.nanoTime();
        if (now < nextCheck) {
            return;
        }
        nextCheck = now + CHECK_EVERY;
        BackupStatus status = ctx.tx(dsl -> ctx.backups().find(dsl, backupId)).map(Backup::status).orElse(null);
        if (status != BackupStatus.CREATING) {
            throw new ProgressListener.Stop("Backup " + backupId + " is "
                    + (status == null ? "deleted" : status.value()) + ": its creation was stopped.");
        }
    }
}
