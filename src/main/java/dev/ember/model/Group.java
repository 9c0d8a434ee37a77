package dev.ember.model;

import java.time.LocalDateTime;

/**
 * A generic volume group as cinder's groups list shows it (a row of its {@code groups} table;
 * Ember's volume service makes none).
 */
public record Group(String id, String name, String description, String status, String availabilityZone,
                   String groupTypeId, String groupSnapshotId, String sourceGroupId, String replicationStatus,
                   String projectId, LocalDateTime createdAt) {
}
