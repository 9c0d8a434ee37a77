package dev.ember.model;

import java.time.LocalDateTime;

/** A row of cinder's transfers: a volume offered to another project. */
public record Transfer(String id, String volumeId, String displayName, String salt, String cryptHash,
                       boolean noSnapshots, String sourceProjectId, String destinationProjectId, boolean accepted,
                       LocalDateTime createdAt) {
}
