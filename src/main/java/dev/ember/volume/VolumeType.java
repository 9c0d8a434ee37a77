package dev.ember.volume;

import java.time.LocalDateTime;
import java.util.Map;

/** A row of cinder's volume_types with its live extra specs. */
public record VolumeType(String id, String name, String description, boolean isPublic, String qosSpecsId,
                         Map<String, String> extraSpecs, LocalDateTime createdAt) {

    public VolumeType {
        extraSpecs = Map.copyOf(extraSpecs);
    }
}
