package dev.ember.api;

import dev.ember.model.Group;
import dev.ember.volume.GroupService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * {@code /groups} and {@code /groups/detail} (3.13+, cinder/api/v3/groups.py and views/groups.py),
 * read only: Ember's volume service makes no groups, but Horizon lists them on every volumes page.
 */
final class GroupsController {

    private final GroupService groups;

    GroupsController(GroupService groups) {
        this.groups = groups;
    }

    ApiResponse index(ApiRequest r) {
        JsonArray out = new JsonArray();
        for (Group g : groups.list(r.context(), ListParams.allTenants(r))) {
            out.add(new JsonObject().put("id", g.id()).put("name", g.name()));
        }
        return ApiResponse.json(200, new JsonObject().put("groups", out));
    }

    ApiResponse detail(ApiRequest r) {
        JsonArray out = new JsonArray();
        for (Group g : groups.list(r.context(), ListParams.allTenants(r))) {
            JsonObject o = new JsonObject().put("id", g.id()).put("status", g.status())
                    .put("availability_zone", g.availabilityZone())
                    .put("created_at", BackupViews.time(g.createdAt())).put("name", g.name())
                    .put("description", g.description()).put("group_type", g.groupTypeId())
                    .put("volume_types", new JsonArray());
            if (r.version().atLeast(3, 14)) {
                o.put("group_snapshot_id", g.groupSnapshotId()).put("source_group_id", g.sourceGroupId());
            }
            if (r.version().atLeast(3, 38)) {
                o.put("replication_status", g.replicationStatus());
            }
            if (r.version().atLeast(3, 58)) {
                o.put("project_id", g.projectId());
            }
            out.add(o);
        }
        return ApiResponse.json(200, new JsonObject().put("groups", out));
    }
}
