package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;
import dev.ember.model.Snapshot;
import dev.ember.volume.SnapshotService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@code /snapshots} of the volume service (cinder/api/v3/snapshots.py): create, list, detail,
 * show, delete, with cinder's snapshot views (v2 summary, v3 detail additions and the
 * {@code os-extended-snapshot-attributes} of show and detail).
 */
final class SnapshotsController {

    private final SnapshotService snapshots;
    private final int maxLimit;

    SnapshotsController(SnapshotService snapshots, int maxLimit) {
        this.snapshots = snapshots;
        this.maxLimit = maxLimit;
    }

    /** cinder/api/schemas/snapshots.py {@code create}. */
    private static final Schema CREATE = new Schema().prop("snapshot", Schema.object(new Schema()
            .prop("name", Schema.string(0, 255, true))
            .prop("display_name", Schema.string(0, 255, true))
            .prop("description", Schema.string(0, 255, true))
            .prop("volume_id", Schema.uuid(true))
            .prop("force", Schema.bool())
            .prop("metadata", Schema.metadata(true))
            .required("volume_id"), "snapshot", false))
            .required("snapshot");

    ApiResponse create(ApiRequest r) {
        JsonNode body = r.body();
        CREATE.validate(null, body);
        JsonNode s = body.get("snapshot");
        JsonNode volumeId = s.get("volume_id");
        if (volumeId == null || volumeId.isNull()) {
            throw CinderException.notFound("Volume None could not be found.");
        }
        boolean force = Schema.truthy(s.get("force"));
        if (r.version().atLeast(3, 66)) {
            // 3.66: snapshots of in-use volumes need no flag; an explicit false is refused.
            if (s.has("force") && !s.get("force").isNull() && !force) {
                throw CinderException.badRequest("Since microversion 3.66 the 'force' flag is invalid for this "
                        + "request.  For backward compatability, however, when the 'force' flag is passed with a "
                        + "value evaluating to True, it is silently ignored.");
            }
            force = true;
        }
        String name = text(s, "name") != null ? text(s, "name") : text(s, "display_name");
        Snapshot created = snapshots.create(r.context(), volumeId.asText(), force, name, text(s, "description"));
        // cinder's extended_snapshot_attributes extension extends show and detail only, not create.
        JsonObject view = detail(created, r);
        view.remove("os-extended-snapshot-attributes:progress");
        view.remove("os-extended-snapshot-attributes:project_id");
        return ApiResponse.json(202, new JsonObject().put("snapshot", view));
    }

    ApiResponse show(ApiRequest r) {
        Snapshot s = snapshots.get(r.context(), r.param("id"));
        return ApiResponse.json(200, new JsonObject().put("snapshot", detail(s, r)));
    }

    ApiResponse index(ApiRequest r) {
        return list(r, false);
    }

    ApiResponse detail(ApiRequest r) {
        return list(r, true);
    }

    ApiResponse delete(ApiRequest r) {
        snapshots.delete(r.context(), r.param("id"));
        return ApiResponse.empty(202);
    }

    private ApiResponse list(ApiRequest r, boolean detail) {
        boolean all = ListParams.allTenants(r);
        int limit = ListParams.limit(r, maxLimit);
        int offset = ListParams.offset(r);
        String name = r.query().get("name") != null ? r.query().get("name") : r.query().get("display_name");
        List<Snapshot> page = snapshots.list(r.context(), all, r.query().get("volume_id"), r.query().get("status"),
                name, limit, offset);
        JsonArray out = new JsonArray();
        for (Snapshot s : page) {
            out.add(detail ? detail(s, r) : summary(s));
        }
        return ApiResponse.json(200, new JsonObject().put("snapshots", out));
    }

    /** cinder/api/views/snapshots.py {@code summary}. */
    static JsonObject summary(Snapshot s) {
        return new JsonObject()
                .put("id", s.id())
                .put("created_at", BackupViews.time(s.createdAt()))
                .put("updated_at", BackupViews.time(s.updatedAt()))
                .put("name", s.displayName())
                .put("description", s.displayDescription())
                .put("volume_id", s.volumeId())
                .put("status", s.status())
                .put("size", s.volumeSize())
                .put("metadata", new JsonObject());
    }

    /** v3 detail: summary + group_snapshot_id (3.14), user_id (3.41), consumes_quota (3.65), extended attributes. */
    static JsonObject detail(Snapshot s, ApiRequest r) {
        JsonObject o = summary(s);
        if (r.version().atLeast(3, 14)) {
            o.put("group_snapshot_id", s.groupSnapshotId());
        }
        if (r.version().atLeast(3, 41)) {
            o.put("user_id", s.userId());
        }
        if (r.version().atLeast(3, 65)) {
            o.put("consumes_quota", s.useQuota());
        }
        o.put("os-extended-snapshot-attributes:progress", s.progress());
        o.put("os-extended-snapshot-attributes:project_id", s.projectId());
        return o;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
