package dev.ember.api;

import dev.ember.auth.Policy;
import dev.ember.model.Backup;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** cinder's backup views (summary and detail), keys in cinder's order, gated by microversion. */
final class BackupViews {

    static final String FIXED_KEY_ID = "00000000-0000-0000-0000-000000000000";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private BackupViews() {
    }

    static String time(LocalDateTime t) {
        return t == null ? null : t.format(TIME);
    }

    static JsonObject summary(Backup b, ApiRequest r) {
        return new JsonObject()
                .put("id", b.id())
                .put("name", b.displayName())
                .put("links", Links.of(r.appUrl(), r.pathProjectId(), "backups", b.id()));
    }

    static JsonObject detail(Backup b, ApiRequest r, Policy policy) {
        return detail(b, r, policy.check("backup:backup_project_attribute", r.context()));
    }

    /** {@code projectAttr}: whether the caller passes backup:backup_project_attribute (once per list). */
    private static JsonObject detail(Backup b, ApiRequest r, boolean projectAttr) {
        JsonObject o = new JsonObject()
                .put("id", b.id())
                .put("status", b.status().value())
                .put("size", b.size())
                .put("object_count", b.objectCount())
                .put("availability_zone", b.availabilityZone())
                .put("container", b.container())
                .put("created_at", time(b.createdAt()))
                .put("updated_at", time(b.updatedAt()))
                .put("name", b.displayName())
                .put("description", b.displayDescription())
                .put("fail_reason", b.failReason())
                .put("volume_id", b.volumeId())
                .put("links", Links.of(r.appUrl(), r.pathProjectId(), "backups", b.id()))
                .put("is_incremental", b.isIncremental())
                .put("has_dependent_backups", b.hasDependentBackups())
                .put("snapshot_id", b.snapshotId())
                .put("data_timestamp", time(b.dataTimestamp()));
        Microversion v = r.version();
        if (v.atLeast(3, 43)) {
            JsonObject md = new JsonObject();
            b.metadata().forEach(md::put);
            o.put("metadata", md);
        }
        if (v.atLeast(3, 18) && projectAttr) {
            o.put("os-backup-project-attr:project_id", b.projectId());
        }
        if (v.atLeast(3, 56) && projectAttr) {
            o.put("user_id", b.userId());
        }
        if (v.atLeast(3, 64) && b.encryptionKeyId() != null && !FIXED_KEY_ID.equals(b.encryptionKeyId())) {
            o.put("encryption_key_id", b.encryptionKeyId());
        }
        return o;
    }

    static JsonArray list(Iterable<Backup> backups, ApiRequest r, Policy policy, boolean detail) {
        JsonArray a = new JsonArray();
        boolean projectAttr = detail && policy.check("backup:backup_project_attribute", r.context());
        for (Backup b : backups) {
            a.add(detail ? detail(b, r, projectAttr) : summary(b, r));
        }
        return a;
    }
}
