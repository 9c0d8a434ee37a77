package dev.ember.volume;

import dev.ember.device.VolumeDevice;
import dev.ember.model.Volume;

import java.io.IOException;
import java.util.function.Predicate;

/**
 * The volumes as the backup manager reaches them: the device a backup reads, the device a
 * restore writes, and the cleanup of what an interrupted backup left on its source. Blocking.
 *
 * <p>Why a separate interface: the manager needs only these calls, whoever owns the volumes.
 * cinder-backup's manager attaches volumes that cinder-volume owns ({@code get_backup_device},
 * {@code initialize_connection}) and never creates, deletes or snapshots one, and Ember's backup
 * role does the same ({@code volume.remote}). Creating and snapshotting volumes is the embedded
 * profile's own business ({@link VolumeStore}), which the manager does not see.
 */
public interface VolumeDevices {

    /**
     * What a backup of {@code volume} reads: the live volume; for an in-use volume backed up with
     * force, possibly a temporary clone; for {@code snapshotId} (nullable), that snapshot. Closing
     * the device releases whatever it took (a clone, an attachment).
     */
    VolumeDevice openBackupSource(Volume volume, String snapshotId) throws IOException;

    /** The volume a restore writes, writable; closing the device detaches it. */
    VolumeDevice openRestoreTarget(String volumeId) throws IOException;

    /**
     * The live volume for the cleanup of a backup that was cut short (its driver may have left a
     * snapshot on it), or null when attaching it for that is not this side's to do.
     */
    VolumeDevice openForCleanup(String volumeId) throws IOException;

    /**
     * Removes what an interrupted backup of {@code volumeId} left of its source (a temporary
     * clone of an in-use volume and the clone's snapshot on it). {@code isVolume} tells a real
     * volume from a temporary one: only clones that are no volume go. Idempotent.
     */
    void releaseInterruptedBackupSource(String volumeId, Predicate<String> isVolume) throws IOException;
}
