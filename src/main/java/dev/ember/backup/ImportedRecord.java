package dev.ember.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ember.error.CinderException;
import dev.ember.model.Backup;

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
    /**
     * oslo.versionedobjects' DateTimeField.to_primitive (utils.isotime without subseconds), which
     * cinder's encode_record uses for every time field: "2026-11-23T12:16:50Z".
     */
    static final DateTimeFormatter OVO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

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
        // cinder's Backup.decode_record: base64 that does not decode is "Can't decode", text that
        // is not UTF-8 JSON is "Can't parse"; a JSON value without an "id" key lacks an id.
        byte[] raw = pythonBase64(backupUrl);
        if (raw == null) {
            throw CinderException.invalidInput("Can't decode backup record.");
        }
        JsonNode parsed;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
            parsed = JSON.readTree(text);
            if (parsed == null || parsed.isMissingNode()) {
                throw new IllegalArgumentException("empty");
            }
        } catch (Exception e) {
            throw CinderException.invalidInput("Can't parse backup record.");
        }
        if (!(parsed instanceof ObjectNode node)) {
            throw CinderException.invalidInput("Provided backup record is missing an id");
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
        // cinder's encode_record: the driver's info first, then the object's fields in their order.
        o.set("driver_info", JSON.valueToTree(driverInfo));
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
        return Base64.getEncoder().encodeToString(
                dev.ember.driver.PyJson.dumps(o).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static String time(LocalDateTime t) {
        return t == null ? null : t.format(OVO_TIME);
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

    /**
     * Python's non-strict base64.b64decode: characters outside the alphabet are skipped, padding
     * that completes a quantum ends the data, an incomplete last quantum fails (null).
     */
    static byte[] pythonBase64(String s) {
        StringBuilder clean = new StringBuilder(s.length());
        int quad = 0;
        int pads = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (quad >= 2 && quad + ++pads >= 4) {
                    clean.append(quad == 2 ? "==" : "=");
                    quad = 0;
                    break;
                }
                continue;
            }
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
                clean.append(c);
                pads = 0;
                quad = (quad + 1) % 4;
            }
        }
        if (quad != 0) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(clean.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
