package dev.ember.volume;

import dev.ember.driver.VolumeDevice;

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
}
