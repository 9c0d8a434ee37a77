package dev.ember.volume;

import dev.ember.device.VolumeDevice;

import java.io.IOException;

/**
 * Where volume data lives in a profile that owns its volumes (the embedded profile's sparse
 * files; RBD images in the Ceph profile). Blocking.
 */
public interface VolumeBackend extends VolumeDevices {

    void create(String volumeId, long sizeBytes) throws IOException;

    /** Removes the volume's data; a missing volume is not an error. */
    void delete(String volumeId) throws IOException;

    VolumeDevice open(String volumeId, boolean writable) throws IOException;

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
