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
 * @param volumeMeta      the volume's metadata at backup time, cinder's BackupMetadataAPI JSON
 *                        ({@code volume_meta}; the Ceph driver's {@code backup.<id>.meta}); null: none
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
        String parentId,
        String volumeMeta) {

    public static final long GIB = 1024L * 1024 * 1024;

    public BackupRef(String id, String volumeId, int sizeGb, String container, String serviceMetadata,
                     String displayName, String displayDescription, LocalDateTime createdAt, String parentId) {
        this(id, volumeId, sizeGb, container, serviceMetadata, displayName, displayDescription, createdAt, parentId,
                null);
    }

    /** This backup with the volume metadata to store along with its data. */
    public BackupRef withVolumeMeta(String json) {
        return new BackupRef(id, volumeId, sizeGb, container, serviceMetadata, displayName, displayDescription,
                createdAt, parentId, json);
    }

    public long sizeBytes() {
        return sizeGb * GIB;
    }

    public BackupRef withStored(String newContainer, String newServiceMetadata) {
        return new BackupRef(id, volumeId, sizeGb, newContainer, newServiceMetadata, displayName,
                displayDescription, createdAt, parentId, volumeMeta);
    }
}
