package dev.ember.backup;

import dev.ember.driver.PyJson;
import dev.ember.model.Backup;
import dev.ember.model.BackupStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export record is cinder's encode_record byte for byte: base64 of Python's json.dumps of
 * driver_info followed by the backup's fields in cinder's order, with ", " and ": " separators and
 * non-ASCII escaped (the expected text is the form Debian's cinder 21.3.1 exported in the
 * differential run), and it decodes back to the same fields.
 */
class ExportRecordEncodingTest {

    static Backup backup() {
        LocalDateTime t = LocalDateTime.of(2026, 12, 1, 23, 38, 29);
        return new Backup("00391d0d-e5aa-4902-9076-5a557d2009c7", "86705a7a-9fcb-4de0-9f0c-0718dc1a5fa6",
                "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "7e1e5a0d9b2c4f7e8a6b5c4d3e2f1a0b", "ember-diff", null,
                "n\u00e9", null, "backups", BackupStatus.AVAILABLE, null,
                "{\"base\": \"volume-86705a7a-9fcb-4de0-9f0c-0718dc1a5fa6.backup.base\"}",
                "cinder.backup.drivers.ceph.CephBackupDriver", 1, 0, null, null, null, 1, null, t, null, null,
                t, t.plusSeconds(6), null, false, Map.of());
    }

    @Test
    void encodesAsCindersEncodeRecord() {
        String json = new String(Base64.getDecoder().decode(ImportedRecord.encode(backup(), Map.of())),
                StandardCharsets.US_ASCII);
        assertEquals("{\"driver_info\": {}, \"id\": \"00391d0d-e5aa-4902-9076-5a557d2009c7\", "
                + "\"user_id\": \"0f1e2d3c4b5a69788796a5b4c3d2e1f0\", \"project_id\": \"7e1e5a0d9b2c4f7e8a6b5c4d3e2f1a0b\", "
                + "\"volume_id\": \"86705a7a-9fcb-4de0-9f0c-0718dc1a5fa6\", \"host\": \"ember-diff\", "
                + "\"availability_zone\": null, \"container\": \"backups\", \"parent_id\": null, \"status\": \"available\", "
                + "\"fail_reason\": null, \"size\": 1, \"display_name\": \"n\\u00e9\", \"display_description\": null, "
                + "\"service_metadata\": \"{\\\"base\\\": \\\"volume-86705a7a-9fcb-4de0-9f0c-0718dc1a5fa6.backup.base\\\"}\", "
                + "\"service\": \"cinder.backup.drivers.ceph.CephBackupDriver\", \"object_count\": 0, "
                + "\"temp_volume_id\": null, \"temp_snapshot_id\": null, \"num_dependent_backups\": 1, "
                + "\"snapshot_id\": null, \"data_timestamp\": \"2026-12-01T23:38:29Z\", \"restore_volume_id\": null, "
                + "\"metadata\": {}, \"encryption_key_id\": null, \"created_at\": \"2026-12-01T23:38:29Z\", "
                + "\"updated_at\": \"2026-12-01T23:38:35Z\", \"deleted_at\": null, \"deleted\": false}", json);
    }

    @Test
    void decodesWhatItEncodes() {
        ImportedRecord rec = ImportedRecord.decode(ImportedRecord.encode(backup(), Map.of("k", "v")));
        assertEquals("00391d0d-e5aa-4902-9076-5a557d2009c7", rec.id());
        assertEquals("n\u00e9", rec.text("display_name"));
        assertEquals(LocalDateTime.of(2026, 12, 1, 23, 38, 29), rec.time("created_at"));
        assertTrue(rec.fields().path("driver_info").has("k"));
    }

    @Test
    void pythonJsonEscapes() {
        var n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("a", "q\"\\\n\t\u0001\u20ac").put("b", 15).put("c", true);
        n.putArray("d").add(1).add("x");
        assertEquals("{\"a\": \"q\\\"\\\\\\n\\t\\u0001\\u20ac\", \"b\": 15, \"c\": true, \"d\": [1, \"x\"]}",
                PyJson.dumps(n));
    }
}
