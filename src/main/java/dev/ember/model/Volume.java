package dev.ember.model;

import java.time.LocalDateTime;

/** The columns of cinder's {@code volumes} table that Ember reads. */
public record Volume(
        String id,
        String userId,
        String projectId,
        String host,
        int size,
        String availabilityZone,
        String status,
        String attachStatus,
        String previousStatus,
        String displayName,
        String displayDescription,
        String volumeTypeId,
        boolean bootable,
        boolean multiattach,
        String encryptionKeyId,
        LocalDateTime createdAt,
        LocalDateTime updatedAt) {

    /** cinder's volume_name_template: the name of the backing file or RBD image. */
    public String name() {
        return "volume-" + id;
    }
}
