package dev.ember.backup;

import java.util.Map;

/** A validated {@code POST /backups} body. */
public record CreateBackupRequest(
        String volumeId,
        String container,
        String name,
        String description,
        boolean incremental,
        boolean force,
        String snapshotId,
        Map<String, String> metadata,
        String availabilityZone) {
}
