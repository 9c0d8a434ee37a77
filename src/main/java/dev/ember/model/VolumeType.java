package dev.ember.model;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

/**
 * A row of cinder's {@code volume_types} with its extra specs and (for a private type) the projects
 * that may use it: what cinder-api puts into a new volume and its scheduling request.
 */
public record VolumeType(String id, String name, String description, boolean isPublic, String qosSpecsId,
                         Map<String, String> extraSpecs, List<String> projects, LocalDateTime createdAt,
                         LocalDateTime updatedAt, LocalDateTime deletedAt, boolean deleted) {

    public VolumeType {
        extraSpecs = extraSpecs == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(extraSpecs));
        projects = projects == null ? List.of() : List.copyOf(projects);
    }

    /** The same type, shared with {@code projects} (cinder's volume_type_projects). */
    public VolumeType withProjects(List<String> projects) {
        return new VolumeType(id, name, description, isPublic, qosSpecsId, extraSpecs, projects, createdAt, updatedAt,
                deletedAt, deleted);
    }
}
