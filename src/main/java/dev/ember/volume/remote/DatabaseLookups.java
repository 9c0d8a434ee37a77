package dev.ember.volume.remote;

import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.error.CinderException;
import dev.ember.rpc.amqp.BackupObjects;
import dev.ember.rpc.oslo.VersionedObject;
import org.jooq.Record;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ember.db.generated.Tables.BACKUPS;
import static dev.ember.db.generated.Tables.VOLUMES;

/** {@link BackupLookup} and {@link VolumeObjectSource} on the shared cinder database. */
public final class DatabaseLookups {

    /** Volume 1.9's fields that are columns of {@code volumes}, in cinder's order. */
    static final List<String> VOLUME_FIELDS = List.of("id", "_name_id", "ec2_id", "user_id", "project_id", "use_quota",
            "snapshot_id", "cluster_name", "host", "size", "availability_zone", "status", "attach_status",
            "migration_status", "scheduled_at", "launched_at", "terminated_at", "display_name", "display_description",
            "provider_id", "provider_location", "provider_auth", "provider_geometry", "volume_type_id", "source_volid",
            "encryption_key_id", "consistencygroup_id", "group_id", "deleted", "bootable", "multiattach",
            "replication_status", "replication_extended_status", "replication_driver_data", "previous_status",
            "service_uuid", "shared_targets", "created_at", "updated_at", "deleted_at");
    static final Set<String> BOOLEAN_FIELDS = Set.of("use_quota", "deleted", "bootable", "multiattach",
            "shared_targets");
    public static final String VOLUME_VERSION = "1.9";
    private static final DateTimeFormatter OVO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private DatabaseLookups() {
    }

    /** The newest live {@code creating} backup of the volume (and snapshot) whose host is {@code host}. */
    public static BackupLookup creatingBackups(Database db, BackupRepository backups, String host) {
        return (volumeId, snapshotId) -> db.tx(dsl -> {
            var q = dsl.select(BACKUPS.ID).from(BACKUPS)
                    .where(BACKUPS.VOLUME_ID.eq(volumeId))
                    .and(BACKUPS.STATUS.eq(dev.ember.model.BackupStatus.CREATING.value()))
                    .and(BackupRepository.live())
                    .and(snapshotId == null ? BACKUPS.SNAPSHOT_ID.isNull() : BACKUPS.SNAPSHOT_ID.eq(snapshotId));
            if (host != null) {
                q = q.and(BACKUPS.HOST.eq(host).or(BACKUPS.HOST.isNull()));
            }
            String id = q.orderBy(BACKUPS.CREATED_AT.desc()).limit(1).fetchOne(BACKUPS.ID);
            if (id == null) {
                throw new CinderException(CinderException.Kind.NOT_FOUND,
                        "No backup in status creating for volume " + volumeId + " on host " + host + ".");
            }
            return backups.find(dsl, id).map(BackupObjects::of)
                    .orElseThrow(() -> CinderException.backupNotFound(id));
        });
    }

    /** Volume 1.9 from the {@code volumes} row (lazy-loadable fields such as metadata left out). */
    public static VolumeObjectSource volumes(Database db) {
        return volumeId -> db.tx(dsl -> {
            Record r = dsl.selectFrom(VOLUMES).where(VOLUMES.ID.eq(volumeId)).fetchOne();
            if (r == null) {
                throw new CinderException(CinderException.Kind.NOT_FOUND, "Volume " + volumeId + " could not be found.");
            }
            return volumeObject(r.intoMap());
        });
    }

    static VersionedObject volumeObject(Map<String, Object> row) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (String f : VOLUME_FIELDS) {
            if (!row.containsKey(f)) {
                continue;
            }
            Object v = row.get(f);
            if (BOOLEAN_FIELDS.contains(f)) {
                v = v == null ? (f.equals("use_quota") ? Boolean.TRUE : Boolean.FALSE)
                        : (v instanceof Number n ? n.intValue() != 0 : Boolean.TRUE.equals(v));
            } else if (v instanceof LocalDateTime t) {
                v = t.format(OVO_TIME);
            }
            data.put(f, v);
        }
        return VersionedObject.of("Volume", VOLUME_VERSION, data);
    }
}
