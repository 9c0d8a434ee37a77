package dev.ember.volume.remote;

import dev.ember.rpc.oslo.VersionedObject;

/** The Volume versioned object (cinder's {@code Volume.get_by_id}) to send to cinder-volume. Blocking. */
@FunctionalInterface
public interface VolumeObjectSource {

    VersionedObject load(String volumeId);
}
