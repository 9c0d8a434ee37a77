package dev.ember.backup;

import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.QuotaRepository;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.driver.BackupDriver;
import dev.ember.keymgr.ConfKeyManager;
import dev.ember.keymgr.KeyManager;
import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.BackupRpcEndpoint;
import dev.ember.rpc.notify.Notifier;
import dev.ember.volume.VolumeDevices;

import java.time.Duration;
import java.util.List;

/**
 * The backup host's manager (cinder/backup/manager.py): runs the driver for the work the API
 * cast to this host and moves backups and volumes through their states. Every state change is a
 * compare-and-set in the database, so work whose backup changed state underneath it (deleted
 * while creating, reset while restoring) is abandoned rather than overwritten.
 *
 * <p>The operations live in their own classes ({@link BackupCreation}, {@link BackupRestoration},
 * {@link BackupDeletion}, {@link StatusReset}, {@link BackupRecords}, {@link StartupCleanup})
 * over one {@link ManagerContext}; this is the {@link BackupRpcEndpoint} they make up.
 */
public final class BackupManager implements BackupRpcEndpoint, AutoCloseable {

    private final BackupDriver driver;
    private final VolumeDevices volumeDevices;
    private final String host;
    private final LeftoverCleanup leftovers;
    private volatile Notifier notifier = Notifier.noop();
    /** Where volume encryption keys are cloned and deleted (cinder's castellan key_manager.API). */
    private volatile KeyManager keyManager = new ConfKeyManager(null);
    private volatile String availabilityZone;

    private final BackupCreation creation;
    private final BackupRestoration restoration;
    private final BackupDeletion deletion;
    private final StatusReset reset;
    private final BackupRecords records;
    private final StartupCleanup startupCleanup;

    public BackupManager(Database db, BackupRepository backups, VolumeRepository volumes, QuotaRepository quotas,
                         BackupDriver driver, VolumeDevices volumeDevices, String host) {
        this.driver = driver;
        this.volumeDevices = volumeDevices;
        this.host = host;
        this.leftovers = new LeftoverCleanup(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofHours(1));
        SnapshotRepository snapshots = new SnapshotRepository();
        // Backups of one volume and the removal of a failed backup's leftovers never overlap in this process.
        VolumeLocks volumeLocks = new VolumeLocks();
        ManagerContext ctx = new ManagerContext(db, backups, volumes, snapshots, driver, volumeDevices,
                new LifecycleRecorder(backups, volumes, snapshots, quotas), volumeLocks, host,
                () -> keyManager, () -> notifier, () -> availabilityZone);
        this.creation = new BackupCreation(ctx, leftovers);
        this.restoration = new BackupRestoration(ctx);
        this.deletion = new BackupDeletion(ctx);
        this.reset = new StatusReset(ctx);
        this.records = new BackupRecords(ctx);
        this.startupCleanup = new StartupCleanup(ctx, creation, deletion);
    }

    /** Stops the background removal of failed backups' leftovers. */
    @Override
    public void close() {
        leftovers.close();
    }

    public String host() {
        return host;
    }

    /** This host's storage_availability_zone, which imported backups take (as cinder's manager). */
    public void setAvailabilityZone(String zone) {
        this.availabilityZone = zone;
    }

    /** The key manager ({@code [key_manager] backend}); default: cinder's ConfKeyManager without a key. */
    public void setKeyManager(KeyManager keyManager) {
        this.keyManager = keyManager == null ? new ConfKeyManager(null) : keyManager;
    }

    /** Where backup.* notifications go (default: nowhere). */
    public void setNotifier(Notifier notifier) {
        this.notifier = notifier == null ? Notifier.noop() : notifier;
    }

    public BackupDriver driver() {
        return driver;
    }

    /** How this manager reaches volumes (for monitoring and tests). */
    public VolumeDevices volumeDevices() {
        return volumeDevices;
    }

    @Override
    public void createBackup(String backupId) {
        creation.run(backupId);
    }

    /** {@code volumeIsNew}, part of cinder's RPC call, is not used here. */
    @Override
    public void restoreBackup(String backupId, String volumeId, boolean volumeIsNew) {
        restoration.run(backupId, volumeId);
    }

    @Override
    public void deleteBackup(String backupId) {
        deletion.run(backupId);
    }

    @Override
    public void resetStatus(String backupId, String status) {
        reset.run(backupId, status);
    }

    @Override
    public BackupRpc.ExportedRecord exportRecord(String backupId) {
        return records.export(backupId);
    }

    /**
     * {@code backupHosts}, part of cinder's RPC call (the hosts cinder's manager passes a record on
     * to when its own driver cannot import it), is not used here: such an import fails.
     */
    @Override
    public void importRecord(String backupId, String backupService, String backupUrl, List<String> backupHosts) {
        records.importInto(backupId, backupService, backupUrl);
    }

    @Override
    public boolean checkSupportToForceDelete() {
        return driver.supportsForceDelete();
    }

    /**
     * cinder's _cleanup_incomplete_backup_operations for this host: work that was in flight when
     * the process died is put into a defined state.
     */
    public void cleanupIncompleteOperations() {
        startupCleanup.run();
    }
}
