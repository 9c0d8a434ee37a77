package dev.ember.volume;

import dev.ember.device.VolumeDevice;
import dev.ember.model.Volume;

import java.io.IOException;

/**
 * Where volume data lives in a profile that owns its volumes (the embedded profile's sparse
 * files; RBD images in the Ceph profile). Blocking.
 */
public interface VolumeBackend {

    void create(String volumeId, long sizeBytes) throws IOException;

    /** Removes the volume's data; a missing volume is not an error. */
    void delete(String volumeId) throws IOException;

    VolumeDevice open(String volumeId, boolean writable) throws IOException;

    /**
     * What a backup of {@code volume} reads: the live volume; for an in-use volume backed up with
     * force, possibly a temporary clone; for {@code snapshotId}, that snapshot. Closing the device
     * releases whatever temporary resources it took.
     */
    default VolumeDevice openBackupSource(Volume volume, String snapshotId) throws IOException {
        if (snapshotId != null) {
            throw new IOException("backups of snapshots are not supported by this volume backend");
        }
        return open(volume.id(), false);
    }

    /**
     * The live volume for the startup cleanup of a backup that was cut short (its driver may have
     * left a snapshot on it), or null when this backend does not own the volume's storage.
     */
    default VolumeDevice openForCleanup(String volumeId) throws IOException {
        return open(volumeId, false);
    }

    /**
     * Removes what an interrupted backup of {@code volumeId} left of its source (a temporary
     * clone of an in-use volume and the clone's snapshot on it). {@code isVolume} tells a real
     * volume from a temporary one: only clones that are no volume go. Idempotent.
     */
    default void releaseInterruptedBackupSource(String volumeId, java.util.function.Predicate<String> isVolume)
            throws IOException {
    }

    /** Grows the volume to {@code newSizeBytes} ({@code os-extend}). */
    default void extend(String volumeId, long newSizeBytes) throws IOException {
        throw new IOException("extending volumes is not supported by this volume backend");
    }

    /** Whether {@link #createSnapshot} and {@link #deleteSnapshot} work. */
    default boolean supportsSnapshots() {
        return false;
    }

    /** Takes the cinder snapshot {@code snapshot-<snapshotId>} of the volume. */
    default void createSnapshot(String volumeId, String snapshotId) throws IOException {
        throw new IOException("snapshots are not supported by this volume backend");
    }

    /** Removes the cinder snapshot; a missing snapshot or volume is not an error. */
    default void deleteSnapshot(String volumeId, String snapshotId) throws IOException {
        throw new IOException("snapshots are not supported by this volume backend");
    }
}
