package dev.ember.rpc.oslo;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * cinder's {@code Backup} versioned object, version 1.7 (Zed; unchanged through 2024.1), as a value.
 * Read from a primitive, fields absent from {@code data} are {@code null} ({@code 0}/{@code false} for
 * the primitive-typed ones; {@link #fromPrimitive} keeps the primitive in {@link #source()} for
 * anything else). Written, it carries every field the way cinder's {@code Backup._from_db_object}
 * plus {@code metadata} fills them, so a Python cinder-backup can use it without a lazy load.
 *
 * <p>{@code parent}: {@code null} with {@code parentLoaded} true writes {@code "parent": null};
 * with {@code parentLoaded} false the key is left out and a Python receiver lazy-loads it.
 */
public record BackupObject(
        String id,
        String userId,
        String projectId,
        String volumeId,
        String host,
        String availabilityZone,
        String container,
        String parentId,
        BackupObject parent,
        boolean parentLoaded,
        String status,
        String failReason,
        Integer size,
        String displayName,
        String displayDescription,
        String serviceMetadata,
        String service,
        Integer objectCount,
        String tempVolumeId,
        String tempSnapshotId,
        Integer numDependentBackups,
        String snapshotId,
        LocalDateTime dataTimestamp,
        String restoreVolumeId,
        Map<String, String> metadata,
        String encryptionKeyId,
        LocalDateTime createdAt,
        LocalDateTime updatedAt,
        LocalDateTime deletedAt,
        boolean deleted,
        VersionedObject source) {

    public static final String NAME = "Backup";
    public static final String VERSION = "1.7";
    /** {@code BackupImport}: what cinder-api's import_record sends instead of {@code Backup}. */
    public static final String IMPORT_NAME = "BackupImport";

    public BackupObject {
        if (id == null) {
            throw new OsloProtocolException("Backup object without id");
        }
        metadata = metadata == null ? null : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Reads a Backup primitive of version 1.x up to 1.7 (older minors simply lack newer fields). */
    public static BackupObject fromPrimitive(VersionedObject o) {
        // cinder-api's import_record sends a BackupImport (same fields as Backup, its own class).
        o.expect(IMPORT_NAME.equals(o.name()) ? IMPORT_NAME : NAME, VERSION);
        Map<String, Object> d = o.data();
        BackupObject parent = null;
        boolean parentLoaded = d.containsKey("parent");
        if (d.get("parent") instanceof VersionedObject p) {
            parent = fromPrimitive(p);
        }
        Map<String, String> metadata = null;
        if (d.get("metadata") instanceof Map<?, ?> m) {
            metadata = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                metadata.put(String.valueOf(e.getKey()), e.getValue() == null ? null : String.valueOf(e.getValue()));
            }
        }
        return new BackupObject(
                o.string("id"),
                o.string("user_id"),
                o.string("project_id"),
                o.string("volume_id"),
                o.string("host"),
                o.string("availability_zone"),
                o.string("container"),
                o.string("parent_id"),
                parent,
                parentLoaded,
                o.string("status"),
                o.string("fail_reason"),
                OsloJson.integer(d, "size"),
                o.string("display_name"),
                o.string("display_description"),
                o.string("service_metadata"),
                o.string("service"),
                OsloJson.integer(d, "object_count"),
                o.string("temp_volume_id"),
                o.string("temp_snapshot_id"),
                OsloJson.integer(d, "num_dependent_backups"),
                o.string("snapshot_id"),
                OvoTime.parse(d.get("data_timestamp")),
                o.string("restore_volume_id"),
                metadata,
                o.string("encryption_key_id"),
                OvoTime.parse(d.get("created_at")),
                OvoTime.parse(d.get("updated_at")),
                OvoTime.parse(d.get("deleted_at")),
                OsloJson.bool(d, "deleted", false),
                o);
    }

    /** The Backup 1.7 primitive, fields in cinder's declaration order (as the captures show them). */
    public VersionedObject toPrimitive() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        d.put("user_id", userId);
        d.put("project_id", projectId);
        d.put("volume_id", volumeId);
        d.put("host", host);
        d.put("availability_zone", availabilityZone);
        d.put("container", container);
        d.put("parent_id", parentId);
        if (parentLoaded) {
            d.put("parent", parent == null ? null : parent.toPrimitive());
        }
        d.put("status", status);
        d.put("fail_reason", failReason);
        d.put("size", zero(size));
        d.put("display_name", displayName);
        d.put("display_description", displayDescription);
        d.put("service_metadata", serviceMetadata);
        d.put("service", service);
        d.put("object_count", zero(objectCount));
        d.put("temp_volume_id", tempVolumeId);
        d.put("temp_snapshot_id", tempSnapshotId);
        d.put("num_dependent_backups", zero(numDependentBackups));
        d.put("snapshot_id", snapshotId);
        d.put("data_timestamp", OvoTime.format(dataTimestamp));
        d.put("restore_volume_id", restoreVolumeId);
        d.put("metadata", metadata == null ? Map.of() : metadata);
        d.put("encryption_key_id", encryptionKeyId);
        d.put("created_at", OvoTime.format(createdAt));
        d.put("updated_at", OvoTime.format(updatedAt));
        d.put("deleted_at", OvoTime.format(deletedAt));
        d.put("deleted", deleted);
        return VersionedObject.of(NAME, VERSION, d);
    }

    private static long zero(Integer v) {
        // cinder's _from_db_object turns NULL integer columns into 0.
        return v == null ? 0 : v;
    }

    /** A builder-ish copy with another parent (e.g. after loading it). */
    public BackupObject withParent(BackupObject p) {
        return new BackupObject(id, userId, projectId, volumeId, host, availabilityZone, container, parentId, p, true,
                status, failReason, size, displayName, displayDescription, serviceMetadata, service, objectCount,
                tempVolumeId, tempSnapshotId, numDependentBackups, snapshotId, dataTimestamp, restoreVolumeId,
                metadata, encryptionKeyId, createdAt, updatedAt, deletedAt, deleted, source);
    }

    public BackupObject withSource(VersionedObject src) {
        return new BackupObject(id, userId, projectId, volumeId, host, availabilityZone, container, parentId, parent,
                parentLoaded, status, failReason, size, displayName, displayDescription, serviceMetadata, service,
                objectCount, tempVolumeId, tempSnapshotId, numDependentBackups, snapshotId, dataTimestamp,
                restoreVolumeId, metadata, encryptionKeyId, createdAt, updatedAt, deletedAt, deleted, src);
    }
}
