package dev.ember.rpc.notify;

import dev.ember.model.Backup;
import dev.ember.rpc.oslo.BackupObject;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/** The payload of backup notifications: cinder's {@code volume_utils._usage_from_backup(backup, **extra)}. */
public final class BackupUsage {

    private BackupUsage() {
    }

    /** The backup fields the payload needs (adapts both Ember's row and the RPC object). */
    public record Source(String id, String projectId, String userId, String availabilityZone, String host,
                         String displayName, LocalDateTime createdAt, String status, String volumeId, Integer size,
                         String serviceMetadata, String service, String failReason, String parentId,
                         Integer numDependentBackups, String snapshotId) {

        public static Source of(Backup b) {
            return new Source(b.id(), b.projectId(), b.userId(), b.availabilityZone(), b.host(), b.displayName(),
                    b.createdAt(), b.status() == null ? null : b.status().value(), b.volumeId(), b.size(),
                    b.serviceMetadata(), b.service(), b.failReason(), b.parentId(), b.numDependentBackups(),
                    b.snapshotId());
        }

        public static Source of(BackupObject b) {
            return new Source(b.id(), b.projectId(), b.userId(), b.availabilityZone(), b.host(), b.displayName(),
                    b.createdAt(), b.status(), b.volumeId(), b.size(), b.serviceMetadata(), b.service(),
                    b.failReason(), b.parentId(), b.numDependentBackups(), b.snapshotId());
        }
    }

    /** {@code created_at} as Python's {@code datetime.isoformat()} of an aware UTC datetime. */
    static String isoformat(LocalDateTime t) {
        if (t == null) {
            return null;
        }
        String s = t.atOffset(ZoneOffset.UTC).toLocalDateTime().toString();
        // Python: seconds always present, microseconds only when non-zero (6 digits).
        if (s.length() == 16) {
            s += ":00";
        }
        int dot = s.indexOf('.');
        if (dot > 0) {
            String frac = (s.substring(dot + 1) + "000000").substring(0, 6);
            s = s.substring(0, dot) + (frac.equals("000000") ? "" : "." + frac);
        }
        return s + "+00:00";
    }

    public static Map<String, Object> of(Source b, Map<String, Object> extra) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("tenant_id", b.projectId());
        u.put("user_id", b.userId());
        u.put("availability_zone", b.availabilityZone());
        u.put("backup_id", b.id());
        u.put("host", b.host());
        u.put("display_name", b.displayName());
        u.put("created_at", isoformat(b.createdAt()));
        u.put("status", b.status());
        u.put("volume_id", b.volumeId());
        u.put("size", b.size());
        u.put("service_metadata", b.serviceMetadata());
        u.put("service", b.service());
        u.put("fail_reason", b.failReason());
        u.put("parent_id", b.parentId());
        u.put("num_dependent_backups", b.numDependentBackups());
        u.put("snapshot_id", b.snapshotId());
        if (extra != null) {
            u.putAll(extra);
        }
        return u;
    }

    public static Map<String, Object> of(Backup b) {
        return of(Source.of(b), null);
    }
}
