package dev.ember.model;

import dev.ember.driver.BackupRef;

import java.time.LocalDateTime;
import java.util.Map;

/** One row of cinder's {@code backups} table plus its metadata: an immutable snapshot. */
public record Backup(
        String id,
        String volumeId,
        String userId,
        String projectId,
        String host,
        String availabilityZone,
        String displayName,
        String displayDescription,
        String container,
        BackupStatus status,
        String failReason,
        String serviceMetadata,
        String service,
        int size,
        int objectCount,
        String parentId,
        String tempVolumeId,
        String tempSnapshotId,
        int numDependentBackups,
        String snapshotId,
        LocalDateTime dataTimestamp,
        String restoreVolumeId,
        String encryptionKeyId,
        LocalDateTime createdAt,
        LocalDateTime updatedAt,
        LocalDateTime deletedAt,
        boolean deleted,
        Map<String, String> metadata) {

    public boolean isIncremental() {
        return parentId != null;
    }

    public boolean hasDependentBackups() {
        return numDependentBackups > 0;
    }

    /** The value the drivers see. */
    public BackupRef ref() {
        return new BackupRef(id, volumeId, size, container, serviceMetadata, displayName, displayDescription,
                createdAt, parentId);
    }
}
