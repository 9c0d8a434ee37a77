package dev.ember.driver.chunked;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backup's {@code <prefix>_metadata} object: the header, the parent id, the list of data
 * objects (in the order they were written) and the volume metadata JSON string (null when there
 * was none).
 */
record BackupMetadataFile(BackupHeader header, String parentId, List<ObjectEntry> objects, String volumeMeta) {

    private static final ObjectMapper JSON = new ObjectMapper();

    BackupMetadataFile {
        objects = List.copyOf(objects);
    }

    String toJson() {
        Map<String, Object> m = header.toMap();
        m.put("parent_id", parentId);
        List<Object> list = new ArrayList<>();
        for (ObjectEntry e : objects) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("offset", e.offset());
            fields.put("length", e.length());
            fields.put("compression", e.compression());
            fields.put("md5", e.md5());
            list.add(Map.of(e.name(), fields));
        }
        m.put("objects", list);
        m.put("volume_meta", volumeMeta);
        return dev.ember.driver.PyJson.dumpsSortedIndented(m);
    }

    /** Parses a metadata object written by cinder or Ember; the message says what is wrong. */
    static BackupMetadataFile parse(byte[] json) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IOException("it is not a JSON object");
        }
        BackupHeader header = new BackupHeader(text(root, "version"), text(root, "backup_id"),
                text(root, "volume_id"), text(root, "backup_name"), text(root, "backup_description"),
                text(root, "created_at"));
        JsonNode objects = root.get("objects");
        if (objects == null || !objects.isArray()) {
            throw new IOException("it has no 'objects' list");
        }
        List<ObjectEntry> entries = new ArrayList<>();
        for (JsonNode item : objects) {
            entries.add(entry(item));
        }
        JsonNode meta = root.get("volume_meta");
        String volumeMeta = meta == null || meta.isNull() ? null : meta.isTextual() ? meta.asText() : meta.toString();
        return new BackupMetadataFile(header, text(root, "parent_id"), entries, volumeMeta);
    }

    private static ObjectEntry entry(JsonNode item) throws IOException {
        if (!item.isObject() || item.size() != 1) {
            throw new IOException("an entry of 'objects' is not a single-key object: " + abbreviate(item));
        }
        Map.Entry<String, JsonNode> e = item.properties().iterator().next();
        JsonNode f = e.getValue();
        JsonNode offset = f.get("offset");
        JsonNode length = f.get("length");
        JsonNode md5 = f.get("md5");
        if (offset == null || !offset.canConvertToLong() || length == null || !length.canConvertToLong()
                || md5 == null || !md5.isTextual()) {
            throw new IOException("object " + e.getKey() + " lacks a numeric offset/length or an md5");
        }
        JsonNode compression = f.get("compression");
        // Cinder always records it; an object without one can only have been stored as is.
        String comp = compression == null || compression.isNull() ? "none" : compression.asText();
        return new ObjectEntry(e.getKey(), offset.asLong(), length.asLong(), comp, md5.asText());
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
