package dev.ember.driver.rbd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Optional;

/** The RBD driver's {@code backups.service_metadata}: {@code {"base": "<image>"}} (cinder Train+). */
public final class ServiceMetadata {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceMetadata() {
    }

    public static Optional<String> base(String serviceMetadata) {
        if (serviceMetadata == null || serviceMetadata.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(serviceMetadata);
            JsonNode b = n == null ? null : n.get("base");
            return b != null && b.isTextual() && !b.asText().isBlank() ? Optional.of(b.asText()) : Optional.empty();
        } catch (Exception e) {
            // Not JSON (another driver's value): no base recorded.
            return Optional.empty();
        }
    }

    /**
     * Exactly what cinder's Ceph driver stores: {@code '{"base": "%s"}' % base_name} (with the space
     * after the colon, as the golden backups of Debian's cinder-backup show).
     */
    public static String of(String base) {
        return dev.ember.driver.PyJson.dumps(JSON.createObjectNode().put("base", base));
    }
}
