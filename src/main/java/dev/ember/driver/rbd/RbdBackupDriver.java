package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.config.Config;
import dev.ember.device.VolumeDevice;
import dev.ember.driver.BackupDriver;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.driver.SiblingBackups;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * cinder's Ceph backup driver ({@code cinder.backup.drivers.ceph.CephBackupDriver}) on librbd,
 * without the {@code rbd export-diff | rbd import-diff} pipe: differential backups copy the
 * extents that changed between two source snapshots straight into the base image
 * (asynchronous reads and writes, a bounded number in flight) and then snapshot the base under
 * the same name, which is exactly what the pipe leaves behind.
 *
 * <p>Layouts ({@code ember_ceph_backup_layout}): {@code single_base} (default) follows the legacy
 * rules the seed lab shows ({@link BackupPlanner}); {@code per_chain} writes what cinder Train+
 * writes. Restores and deletes read both, including cinder's {@code {"base": ...}} service
 * metadata. Everything blocks: call from worker threads only.
 *
 * <p>The operations live in their own classes ({@link RbdBackup}, {@link RbdRestore},
 * {@link RbdDelete}, {@link RbdCleanup}) over one connection ({@link BackupPools}); this is the
 * {@link BackupDriver} they make up.
 */
public final class RbdBackupDriver implements BackupDriver, AutoCloseable {

    public static final String SERVICE_NAME = "cinder.backup.drivers.ceph.CephBackupDriver";

    private final RbdOptions options;
    private final BackupPools pools;
    private final RbdBackup backup;
    private final RbdRestore restore;
    private final RbdDelete delete;
    private final RbdCleanup cleanup;

    public RbdBackupDriver(RbdOptions options) {
        this.options = options;
        this.pools = new BackupPools(options);
        BaseHead heads = new BaseHead(options);
        this.backup = new RbdBackup(options, pools, heads);
        this.restore = new RbdRestore(options, pools);
        this.delete = new RbdDelete(pools);
        this.cleanup = new RbdCleanup(pools, delete, heads);
    }

    /** The factory {@code Drivers} calls for {@code backup_driver = cinder.backup.drivers.ceph.CephBackupDriver}. */
    public static RbdBackupDriver create(Config config) {
        return new RbdBackupDriver(RbdOptions.fromConfig(config));
    }

    public RbdOptions options() {
        return options;
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public boolean supportsForceDelete() {
        return false;
    }

    @Override
    public BackupOutcome backup(BackupRef backup, BackupRef parent, VolumeDevice source, ProgressListener progress)
            throws BackupDriverException {
        return backup(backup, parent, SiblingBackups.ONE_PROJECT, source, progress);
    }

    /**
     * Backs up {@code source}; {@code siblings} says which source snapshots other projects' chains
     * still need (see {@link BackupPlanner}).
     */
    @Override
    public BackupOutcome backup(BackupRef backup, BackupRef parent, SiblingBackups siblings, VolumeDevice source,
                                ProgressListener progress) throws BackupDriverException {
        return this.backup.run(backup, parent, siblings, source, progress);
    }

    /** cinder's _restore_metadata: the restored backup's {@code backup.<id>.meta} object, if any. */
    @Override
    public List<String> volumeMetadata(List<BackupRef> chain) throws BackupDriverException {
        return restore.volumeMetadata(chain);
    }

    @Override
    public void restore(List<BackupRef> chain, VolumeDevice target, BooleanSupplier cancelled)
            throws BackupDriverException {
        restore.run(chain, target, cancelled);
    }

    @Override
    public void delete(BackupRef backup) throws BackupDriverException {
        delete.run(backup);
    }

    @Override
    public void cleanupInterrupted(BackupRef backup, SourceOpener opener) throws BackupDriverException {
        cleanup.run(backup, opener, true);
    }

    /** The same without settling base heads: a backup of the volume may be writing one right now. */
    @Override
    public void cleanupFailed(BackupRef backup, SourceOpener opener) throws BackupDriverException {
        cleanup.run(backup, opener, false);
    }

    /** The driver's Ceph connection (for monitoring and tests). */
    public CephConnection connection() {
        return pools.connection();
    }

    /**
     * Closes the cluster connection (pools and images are closed after each call anyway); a call
     * still running keeps it open until it ends.
     */
    @Override
    public void close() {
        pools.close();
    }

    @Override
    public String toString() {
        return "RbdBackupDriver[" + options.user() + "@" + options.conf() + ", pool " + options.pool() + ", "
                + options.layout() + "]";
    }
}
