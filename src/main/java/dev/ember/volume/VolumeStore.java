package dev.ember.volume;

import java.io.IOException;

/**
 * Where the embedded profile keeps the data of the volumes it owns (sparse files in the default
 * profile, RBD images in the Ceph profile): what its volume API ({@link VolumeService},
 * {@link SnapshotService}) does to storage in place of cinder-volume. Blocking.
 *
 * <p>Why a separate interface: only a profile that owns its volumes creates, deletes, grows and
 * snapshots them. Where cinder-volume owns the volumes (the backup and api roles, and the embedded
 * profile with {@code volume_backend = cinder}) there is no store, while the backup manager still
 * reaches the volumes through {@link VolumeDevices}.
 */
public interface VolumeStore {

    /** Makes the volume's storage, {@code sizeBytes} long and reading as zeros. */
    void create(String volumeId, long sizeBytes) throws IOException;

    /** Removes the volume's data; a missing volume is not an error. */
    void delete(String volumeId) throws IOException;

    /** Grows the volume to {@code newSizeBytes} ({@code os-extend}); never shrinks it. */
    void extend(String volumeId, long newSizeBytes) throws IOException;

    /** Takes the cinder snapshot {@code snapshotId} of the volume. */
    void createSnapshot(String volumeId, String snapshotId) throws IOException;

    /** Removes the cinder snapshot; a missing snapshot or volume is not an error. */
    void deleteSnapshot(String volumeId, String snapshotId) throws IOException;
}
