package dev.ember.rpc.amqp;

import dev.ember.model.Backup;
import dev.ember.rpc.oslo.BackupObject;

/**
 * Converts Ember's {@code backups} row to the Backup versioned object cinder sends, as
 * {@code Backup._from_db_object} with {@code metadata} does. {@code parent} is left out (a Python
 * receiver lazy-loads it from the shared database) unless the backup is a full one, where cinder
 * writes {@code "parent": null}.
 */
public final class BackupObjects {

    private BackupObjects() {
    }

    public static BackupObject of(Backup b) {
        return new BackupObject(
                b.id(), b.userId(), b.projectId(), b.volumeId(), b.host(), b.availabilityZone(), b.container(),
                b.parentId(), null, b.parentId() == null,
                b.status() == null ? null : b.status().value(),
                b.failReason(), b.size(), b.displayName(), b.displayDescription(), b.serviceMetadata(), b.service(),
                b.objectCount(), b.tempVolumeId(), b.tempSnapshotId(), b.numDependentBackups(), b.snapshotId(),
                b.dataTimestamp(), b.restoreVolumeId(), b.metadata(), b.encryptionKeyId(), b.createdAt(),
                b.updatedAt(), b.deletedAt(), b.deleted(), null);
    }
}
