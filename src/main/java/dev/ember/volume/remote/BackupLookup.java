package dev.ember.volume.remote;

import dev.ember.rpc.oslo.BackupObject;

/**
 * Which backup a {@code VolumeDevices.openBackupSource(volume, snapshotId)} is for (the interface
 * passes only the volume): the backup of that volume (and snapshot) in status {@code creating} owned
 * by this host. Blocking; throws when there is none.
 */
@FunctionalInterface
public interface BackupLookup {

    BackupObject creatingBackupOf(String volumeId, String snapshotId);
}
