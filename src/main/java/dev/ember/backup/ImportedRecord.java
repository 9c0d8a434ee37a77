package dev.ember.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ember.error.CinderException;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;

/**
 * The {@code backup_url} of export/import record: base64 of the JSON of the Backup object's
 * fields (all but {@code parent}) plus {@code driver_info}, as cinder's Backup.encode_record
 * writes it, so records move between cinder and Ember in both directions.
 */
public record ImportedRecord(ObjectNode fields) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter OSLO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    public String id() {
        return fields.path("id").asText();
    }

    public int size() {
        return fields.path("size").asInt();
    }

    public String text(String field) {
        JsonNode n = fields.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    public static ImportedRecord decode(String backupUrl) {
        ObjectNode node;
        try {
            byte[] raw = Base64.getDecoder().decode(backupUrl.strip());
            JsonNode parsed = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
            if (!(parsed instanceof ObjectNode o)) {
                throw new IllegalArgumentException("not an object");
            }
            node = o;
        } catch (Exception e) {
            throw CinderException.invalidInput("Can't decode backup record.");
        }
        if (!node.hasNonNull("id")) {
            throw CinderException.invalidInput("Provided backup record is missing an id");
        }
        if (!node.hasNonNull("size")) {
            throw CinderException.invalidInput("Provided backup record is missing size attribute");
        }
        if (!node.get("id").isTextual() || !node.get("id").asText().matches("[0-9a-fA-F-]{36}")) {
            throw CinderException.invalidInput("Provided backup record has an invalid id");
        }
        if (!node.get("size").canConvertToInt() || node.get("size").asInt() < 0) {
            throw CinderException.invalidInput("Provided backup record has an invalid size");
        }
        return new ImportedRecord(node);
    }

    public static String encode(Backup b, Map<String, Object> driverInfo) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", b.id());
        o.put("user_id", b.userId());
        o.put("project_id", b.projectId());
        o.put("volume_id", b.volumeId());
        o.put("host", b.host());
        o.put("availability_zone", b.availabilityZone());
        o.put("container", b.container());
        o.put("parent_id", b.parentId());
        o.put("status", b.status().value());
        o.put("fail_reason", b.failReason());
        o.put("size", b.size());
        o.put("display_name", b.displayName());
        o.put("display_description", b.displayDescription());
        o.put("service_metadata", b.serviceMetadata());
        o.put("service", b.service());
        o.put("object_count", b.objectCount());
        o.put("temp_volume_id", b.tempVolumeId());
        o.put("temp_snapshot_id", b.tempSnapshotId());
        o.put("num_dependent_backups", b.numDependentBackups());
        o.put("snapshot_id", b.snapshotId());
        o.put("data_timestamp", time(b.dataTimestamp()));
        o.put("restore_volume_id", b.restoreVolumeId());
        ObjectNode md = o.putObject("metadata");
        b.metadata().forEach(md::put);
        o.put("encryption_key_id", b.encryptionKeyId());
        o.put("created_at", time(b.createdAt()));
        o.put("updated_at", time(b.updatedAt()));
        o.put("deleted_at", time(b.deletedAt()));
        o.put("deleted", b.deleted());
        o.set("driver_info", JSON.valueToTree(driverInfo));
        try {
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(o));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String time(LocalDateTime t) {
        return t == null ? null : t.format(OSLO_TIME);
    }

    /** Parses oslo's ISO forms ("2026-11-23T12:16:50.000000", with or without zone/fraction). */
    public LocalDateTime time(String field) {
        String s = text(field);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            String t = s.replace(' ', 'T').replaceAll("(Z|[+-]\\d{2}:?\\d{2})$", "");
            return LocalDateTime.parse(t).withNano(0);
        } catch (Exception e) {
            return null;
        }
    }
}
