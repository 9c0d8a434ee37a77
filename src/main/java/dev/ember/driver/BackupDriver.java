package dev.ember.driver;

import dev.ember.device.VolumeDevice;

import java.util.List;

/**
 * A backup driver: where backup data lives and how it gets there. Implementations are blocking and
 * are only ever called from the manager's worker threads, never from the event loop.
 */
public interface BackupDriver {

    /**
     * The driver's class path as cinder writes it into {@code backups.service}, e.g.
     * {@code cinder.backup.drivers.posix.PosixBackupDriver}. Backups whose service does not start
     * with this string belong to another driver.
     */
    String serviceName();

    /** Whether {@code os-force_delete} is allowed (cinder: chunked drivers yes, Ceph no). */
    boolean supportsForceDelete();

    /**
     * Backs up {@code source} into the backend. {@code parent} is the backup this one is
     * incremental to, or null for a full backup. On failure the driver removes whatever it wrote
     * for this backup before throwing, so a failed backup leaves no partial data behind (and its
     * parent's data as it was). A {@link ProgressListener.Stop} thrown by {@code progress} ends it
     * the same way, with {@link BackupDriverException.Cancelled}. The source's data is only read.
     */
    BackupOutcome backup(BackupRef backup, BackupRef parent, VolumeDevice source, ProgressListener progress)
            throws BackupDriverException;

    /**
     * The same, knowing which other backups of the volume a later incremental may still name as
     * its parent ({@link SiblingBackups}): a driver that keeps state on the source volume for the
     * next incremental must keep it for those. Drivers that keep nothing there ignore it.
     */
    default BackupOutcome backup(BackupRef backup, BackupRef parent, SiblingBackups siblings, VolumeDevice source,
                                 ProgressListener progress) throws BackupDriverException {
        return backup(backup, parent, source, progress);
    }

    /**
     * Restores the last backup of {@code chain} onto {@code target}. The chain runs from the full
     * backup (index 0) to the backup being restored (last index). The result reads bit for bit as
     * the volume did when that backup was taken. A target smaller than the backed-up data is
     * refused with a {@link BackupDriverException} before anything is written to it; on a larger
     * one the bytes past the data read as zeros afterwards, at least up to the backup's size
     * ({@code backups.size} GiB; the Ceph driver with {@code restore_discard_excess_bytes}, its
     * default). The target is never resized.
     *
     * @param cancelled polled between objects; when it answers true the restore stops with
     *                  {@link BackupDriverException.Cancelled}
     */
    void restore(List<BackupRef> chain, VolumeDevice target, java.util.function.BooleanSupplier cancelled)
            throws BackupDriverException;

    /**
     * The volume metadata (cinder's BackupMetadataAPI JSON) stored with the backups of
     * {@code chain}, in the order cinder's driver puts it back on the restored volume: the chunked
     * driver every backup's {@code volume_meta} from the full one up, the Ceph driver only the
     * restored backup's {@code backup.<id>.meta} object. Backups that stored none are left out.
     */
    default List<String> volumeMetadata(List<BackupRef> chain) throws BackupDriverException {
        return List.of();
    }

    /**
     * Removes this backup's own data (never its parent's: the parent still restores). Missing data
     * is not an error: deleting twice, or a backup that never wrote anything, succeeds.
     */
    void delete(BackupRef backup) throws BackupDriverException;

    /**
     * Settles a backup whose creation was cut short by the death of this service (the startup
     * cleanup): removes what it wrote, as {@link #delete} does, and whatever it left on its
     * source. Idempotent: a crash during the cleanup runs it again at the next start.
     *
     * @param source opens the live volume the backup was reading, for drivers that leave state on
     *               it; answers null when that volume cannot be opened here. The caller closes it.
     */
    default void cleanupInterrupted(BackupRef backup, SourceOpener source) throws BackupDriverException {
        delete(backup);
    }

    /**
     * Removes what a failed backup left because its own cleanup failed too (see
     * {@link BackupDriverException.LeftoversRemain}), while other backups of the volume may run:
     * unlike {@link #cleanupInterrupted} it never rewrites data another backup might be using.
     */
    default void cleanupFailed(BackupRef backup, SourceOpener source) throws BackupDriverException {
        delete(backup);
    }

    /** Opens a backup's source volume on demand. */
    @FunctionalInterface
    interface SourceOpener {
        VolumeDevice open() throws java.io.IOException;
    }
}
