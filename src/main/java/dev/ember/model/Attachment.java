package dev.ember.model;

import java.time.LocalDateTime;

/** A row of cinder's {@code volume_attachment} table. */
public record Attachment(
        String id,
        String volumeId,
        String attachedHost,
        String instanceUuid,
        String mountpoint,
        LocalDateTime attachTime,
        LocalDateTime detachTime,
        String attachMode,
        String attachStatus,
        String connectionInfo,
        String connector,
        LocalDateTime createdAt,
        LocalDateTime updatedAt) {
}
