package dev.ember.driver;

import java.time.LocalDateTime;

/**
 * What a driver needs to know about one backup: a value copied from the backups row by the
 * manager, so drivers never touch the database.
 *
 * @param sizeGb          volume size in GiB at backup time (cinder's backups.size)
 * @param container       backups.container as requested (may be null: the driver picks its default)
 * @param serviceMetadata backups.service_metadata written by the driver at backup time (may be null)
 * @param parentId        backups.parent_id (null for a full backup)
 * @param createdAt       backups.created_at in UTC
 */
public record BackupRef(
        String id,
        String volumeId,
        int sizeGb,
        String container,
        String serviceMetadata,
        String displayName,
        String displayDescription,
        LocalDateTime createdAt,
        String parentId) {

    public static final long GIB = 1024L * 1024 * 1024;

    public long sizeBytes() {
        return sizeGb * GIB;
    }

    public BackupRef withStored(String newContainer, String newServiceMetadata) {
        return new BackupRef(id, volumeId, sizeGb, newContainer, newServiceMetadata, displayName,
                displayDescription, createdAt, parentId);
    }
}
