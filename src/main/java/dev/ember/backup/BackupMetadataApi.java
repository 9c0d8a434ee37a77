package dev.ember.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ember.db.BackupRepository;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ember.db.generated.Tables.VOLUMES;
import static dev.ember.db.generated.Tables.VOLUME_GLANCE_METADATA;
import static dev.ember.db.generated.Tables.VOLUME_METADATA;

/**
 * cinder's BackupMetadataAPI (cinder/backup/driver.py): the volume's metadata a backup keeps, as
 * the JSON text cinder's {@code get} writes ({@code {"version": 2, "volume-base-metadata": {every
 * column of the volumes row}, "volume-metadata": {user metadata}, "volume-glance-metadata":
 * {image properties}}}, the last two only when not empty, in {@code json.dumps}' default form),
 * and {@code put}, which restores it under cinder's rules:
 * <ul>
 * <li>of the base metadata only display_name, display_description (version 1 and 2) and
 * encryption_key_id (version 2) are restored; the name and description are skipped when the
 * backup's name is empty, or when the target already has a name not starting with
 * {@code restore_backup_};</li>
 * <li>an encrypted backup (encryption_key_id not null) needs the target to have the source's
 * volume type: a target without a type takes it (the type must still exist), a target with
 * another type fails the restore;</li>
 * <li>the user metadata replaces the target's; the glance metadata replaces the target's and
 * makes the volume bootable.</li>
 * </ul>
 */
final class BackupMetadataApi {

    static final int VERSION = 2;
    static final String BASE = "volume-base-metadata";
    static final String META = "volume-metadata";
    static final String GLANCE = "volume-glance-metadata";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** oslo.utils' PERFECT_TIME_FORMAT, which jsonutils uses for datetimes. */
    private static final DateTimeFormatter PERFECT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    /** The Boolean columns of cinder's Volume model (tinyint(1) in MariaDB). */
    private static final Set<String> BOOLEANS = Set.of("deleted", "bootable", "multiattach", "shared_targets",
            "use_quota");

    /** A restore that cannot put the metadata back (cinder's EncryptedBackupOperationFailed, unsupported version). */
    static final class RestoreRefused extends RuntimeException {
        RestoreRefused(String message) {
            super(message);
        }
    }

    private BackupMetadataApi() {
    }

    // ------------------------------------------------------------------ get ---

    /** cinder's get(volume_id): the JSON text, or null when the volume does not exist. */
    static String get(DSLContext dsl, String volumeId) {
        Record row = dsl.selectFrom(VOLUMES).where(VOLUMES.ID.eq(volumeId)).fetchOne();
        if (row == null) {
            return null;
        }
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("version", VERSION);
        Map<String, Object> base = new LinkedHashMap<>();
        for (Field<?> f : row.fields()) {
            base.put(f.getName(), value(f.getName(), row.get(f)));
        }
        container.put(BASE, base);
        Map<String, Object> meta = new LinkedHashMap<>();
        dsl.select(VOLUME_METADATA.KEY, VOLUME_METADATA.VALUE).from(VOLUME_METADATA)
                .where(VOLUME_METADATA.VOLUME_ID.eq(volumeId)).and(VOLUME_METADATA.DELETED.eq((byte) 0))
                .orderBy(VOLUME_METADATA.ID).forEach(r -> meta.put(r.value1(), r.value2()));
        if (!meta.isEmpty()) {
            container.put(META, meta);
        }
        Map<String, Object> glance = new LinkedHashMap<>();
        dsl.select(VOLUME_GLANCE_METADATA.KEY, VOLUME_GLANCE_METADATA.VALUE).from(VOLUME_GLANCE_METADATA)
                .where(VOLUME_GLANCE_METADATA.VOLUME_ID.eq(volumeId))
                .and(VOLUME_GLANCE_METADATA.DELETED.eq((byte) 0).or(VOLUME_GLANCE_METADATA.DELETED.isNull()))
                .orderBy(VOLUME_GLANCE_METADATA.ID).forEach(r -> glance.put(r.value1(), r.value2()));
        if (!glance.isEmpty()) {
            container.put(GLANCE, glance);
        }
        return dev.ember.driver.PyJson.dumps(container);
    }

    private static Object value(String column, Object v) {
        if (v == null) {
            return null;
        }
        if (BOOLEANS.contains(column) && v instanceof Number n) {
            return n.intValue() != 0;
        }
        if (v instanceof LocalDateTime t) {
            return PERFECT.format(t);
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        return v.toString();
    }

    // ------------------------------------------------------------------ put ---

    /** cinder's put(volume_id, json): restores {@code json} onto the volume under cinder's rules. */
    static void put(DSLContext dsl, String volumeId, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (Exception e) {
            throw new RestoreRefused("Metadata restore failed: the backup's volume metadata is not JSON.");
        }
        int version = root == null ? -1 : root.path("version").asInt(-1);
        List<String> baseFields;
        if (version == 1) {
            baseFields = List.of("display_name", "display_description");
        } else if (version == 2) {
            baseFields = List.of("display_name", "display_description", "encryption_key_id");
        } else {
            // cinder's drivers turn BackupMetadataUnsupportedVersion into this BackupOperationError
            throw new RestoreRefused("Metadata restore failed due to incompatible version.");
        }
        if (root.has(BASE) && root.get(BASE).isObject()) {
            restoreBase(dsl, volumeId, root.get(BASE), baseFields);
        }
        if (root.has(META) && root.get(META).isObject()) {
            restoreMeta(dsl, volumeId, root.get(META));
        }
        if (root.has(GLANCE) && root.get(GLANCE).isObject()) {
            restoreGlance(dsl, volumeId, root.get(GLANCE));
        }
    }

    private static void restoreBase(DSLContext dsl, String volumeId, JsonNode meta, List<String> fields) {
        JsonNode key = meta.get("encryption_key_id");
        if (fields.contains("encryption_key_id") && key != null && !key.isNull()) {
            restoreEncryptionType(dsl, volumeId, text(meta.get("volume_type_id")));
        }
        List<String> excludes = new ArrayList<>();
        if (meta.has("display_name")) {
            String name = dsl.select(VOLUMES.DISPLAY_NAME).from(VOLUMES).where(VOLUMES.ID.eq(volumeId)).fetchOne(0,
                    String.class);
            String saved = text(meta.get("display_name"));
            boolean named = name != null && !name.isEmpty();
            if (saved == null || saved.isEmpty() || named && !name.startsWith("restore_backup_")) {
                excludes.add("display_name");
                excludes.add("display_description");
            }
        }
        Map<Field<?>, Object> changes = new HashMap<>();
        for (String f : fields) {
            if (!meta.has(f) || excludes.contains(f)) {
                continue;
            }
            String v = text(meta.get(f));
            switch (f) {
                case "display_name" -> changes.put(VOLUMES.DISPLAY_NAME, v);
                case "display_description" -> changes.put(VOLUMES.DISPLAY_DESCRIPTION, v);
                case "encryption_key_id" -> changes.put(VOLUMES.ENCRYPTION_KEY_ID, v);
                default -> { }
            }
        }
        if (!changes.isEmpty()) {
            changes.put(VOLUMES.UPDATED_AT, BackupRepository.now());
            dsl.update(VOLUMES).set(changes).where(VOLUMES.ID.eq(volumeId)).execute();
        }
    }

    /** cinder's _restore_vol_encryption_meta. */
    private static void restoreEncryptionType(DSLContext dsl, String volumeId, String sourceType) {
        String dest = dsl.select(VOLUMES.VOLUME_TYPE_ID).from(VOLUMES).where(VOLUMES.ID.eq(volumeId))
                .fetchOne(0, String.class);
        if (java.util.Objects.equals(dest, sourceType)) {
            return;
        }
        if (dest != null) {
            throw new RestoreRefused("The source volume type '" + sourceType
                    + "' is different than the destination volume type '" + dest + "'.");
        }
        if (!volumeTypeExists(dsl, sourceType)) {
            throw new RestoreRefused("The source volume type '" + sourceType + "' is not available.");
        }
        dsl.update(VOLUMES).set(VOLUMES.VOLUME_TYPE_ID, sourceType).set(VOLUMES.UPDATED_AT, BackupRepository.now())
                .where(VOLUMES.ID.eq(volumeId)).execute();
    }

    /**
     * Whether cinder's volume_types has this live type. Ember's own schema has no volume_types
     * (the embedded profile has only the default type): there any type id is taken as it is.
     */
    private static boolean volumeTypeExists(DSLContext dsl, String typeId) {
        if (typeId == null) {
            return false;
        }
        Integer tables = dsl.fetchOne("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                + "AND table_name = 'volume_types'").get(0, Integer.class);
        if (tables == null || tables == 0) {
            return true;
        }
        Integer n = dsl.fetchOne("SELECT COUNT(*) FROM volume_types WHERE id = ? AND (deleted = 0 OR deleted IS NULL)",
                typeId).get(0, Integer.class);
        return n != null && n > 0;
    }

    /** cinder's volume_metadata_update(delete=True): the backup's user metadata replaces the volume's. */
    private static void restoreMeta(DSLContext dsl, String volumeId, JsonNode meta) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            wanted.put(e.getKey(), text(e.getValue()));
        }
        new dev.ember.db.VolumeRepository().updateMetadata(dsl, volumeId, wanted, true);
    }

    /** cinder's _restore_vol_glance_meta: delete the volume's, create the backup's, mark it bootable. */
    private static void restoreGlance(DSLContext dsl, String volumeId, JsonNode meta) {
        LocalDateTime now = BackupRepository.now();
        dsl.update(VOLUME_GLANCE_METADATA).set(VOLUME_GLANCE_METADATA.DELETED, (byte) 1)
                .set(VOLUME_GLANCE_METADATA.DELETED_AT, now).where(VOLUME_GLANCE_METADATA.VOLUME_ID.eq(volumeId))
                .and(VOLUME_GLANCE_METADATA.DELETED.eq((byte) 0).or(VOLUME_GLANCE_METADATA.DELETED.isNull()))
                .execute();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            dsl.insertInto(VOLUME_GLANCE_METADATA).set(VOLUME_GLANCE_METADATA.VOLUME_ID, volumeId)
                    .set(VOLUME_GLANCE_METADATA.KEY, e.getKey()).set(VOLUME_GLANCE_METADATA.VALUE, text(e.getValue()))
                    .set(VOLUME_GLANCE_METADATA.CREATED_AT, now).set(VOLUME_GLANCE_METADATA.DELETED, (byte) 0)
                    .execute();
        }
        dsl.update(VOLUMES).set(VOLUMES.BOOTABLE, (byte) 1).set(VOLUMES.UPDATED_AT, now)
                .where(VOLUMES.ID.eq(volumeId)).execute();
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.isValueNode() ? n.asText() : n.toString();
    }
}
