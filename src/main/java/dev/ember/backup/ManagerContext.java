package dev.ember.backup;

import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.driver.BackupDriver;
import dev.ember.keymgr.KeyManager;
import dev.ember.model.Backup;
import dev.ember.rpc.notify.Notifier;
import dev.ember.volume.VolumeDevices;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the manager's operations, each in its own class (such as {@link BackupDeletion}), share:
 * the database, the repositories, the driver and how volumes are reached, the lifecycle
 * recorder, the per-volume locks and this host. The key manager, the notifier and the
 * availability zone are read when used: the composition root sets them on the
 * {@link BackupManager} after building it (the notifier only after the startup cleanup).
 */
record ManagerContext(Database db, BackupRepository backups, VolumeRepository volumes, SnapshotRepository snapshots,
                      BackupDriver driver, VolumeDevices volumeDevices, LifecycleRecorder lifecycle,
                      VolumeLocks volumeLocks, String host, Supplier<KeyManager> keyManager,
                      Supplier<Notifier> notifier, Supplier<String> availabilityZone) {

    private static final Logger LOG = LoggerFactory.getLogger(ManagerContext.class);

    /**
     * How long the manager waits out a database outage before giving up on recording a state.
     * Work that finished must be recorded: giving up leaves it for the startup cleanup.
     */
    private static final Duration DB_PATIENCE = Duration.ofMinutes(5);

    <T> T tx(Function<DSLContext, T> work) {
        return db.txPatiently(work, DB_PATIENCE);
    }

    void txRun(Consumer<DSLContext> work) {
        db.txRunPatiently(work, DB_PATIENCE);
    }

    KeyManager keys() {
        return keyManager.get();
    }

    /** cinder's notify_about_backup_usage with the backup as it is now in the database; never throws. */
    void notifyUsage(String backupId, String suffix) {
        Notifier n = notifier.get();
        if (!n.enabled()) {
            return;
        }
        try {
            db.tx(dsl -> backups.findIncludingDeleted(dsl, backupId)).ifPresent(b -> n.backupUsage(b, suffix, null));
        } catch (RuntimeException e) {
            LOG.warn("backup.{} notification for {} failed: {}", suffix, backupId, e.toString());
        }
    }

    /** Whether this host's driver made {@code backup} (cinder compares the service name's prefix). */
    boolean isOurs(Backup backup) {
        return backup.service() != null && backup.service().startsWith(driver.serviceName());
    }
}
