package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;
import dev.ember.model.Volume;
import dev.ember.volume.VolumeService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * The embedded profile's minimal {@code /volumes} API: create, show, list, detail, delete, with
 * cinder's volume view, so the stock client can resolve volumes and restore can create them.
 */
final class VolumesController {

    private final VolumeService volumes;
    private final int maxLimit;

    VolumesController(VolumeService volumes, int maxLimit) {
        this.volumes = volumes;
        this.maxLimit = maxLimit;
    }

    private static final Schema CREATE = new Schema().prop("volume", Schema.object(new Schema()
            .prop("size", v -> v.isIntegralNumber() || v.isTextual() && v.asText().matches("\\d{1,9}") ? null
                    : PyRepr.of(v) + " is not of type 'integer', 'string'")
            .prop("name", Schema.string(0, 255, true))
            .prop("description", Schema.string(0, 255, true))
            .prop("display_name", Schema.string(0, 255, true))
            .prop("display_description", Schema.string(0, 255, true))
            .prop("availability_zone", Schema.string(0, 255, true))
            .prop("volume_type", Schema.string(0, 255, true))
            .prop("metadata", Schema.metadata(true))
            .prop("snapshot_id", Schema.uuid(true))
            .prop("source_volid", Schema.uuid(true))
            .prop("imageRef", Schema.string(0, 255, true))
            .prop("backup_id", Schema.uuid(true))
            .prop("consistencygroup_id", Schema.uuid(true))
            .prop("group_id", Schema.uuid(true))
            .prop("multiattach", Schema.bool())
            .prop("bootable", Schema.bool())
            // cinder/api/schemas/volumes.py: the volume object has additionalProperties True
            .required("size").allowAdditional(), "volume", false)).prop("OS-SCH-HNT:scheduler_hints", Schema.any())
            .required("volume");

    ApiResponse create(ApiRequest r) {
        JsonNode body = r.body();
        CREATE.validate(null, body);
        JsonNode v = body.get("volume");
        for (String unsupported : List.of("snapshot_id", "source_volid", "imageRef", "backup_id")) {
            if (v.hasNonNull(unsupported)) {
                throw CinderException.badRequest("Creating a volume from " + unsupported
                        + " is not supported by Ember's embedded volume service.");
            }
        }
        long size = v.get("size").asLong();
        if (size <= 0 || size > 16384) {
            throw CinderException.invalidInput("Volume size '" + v.get("size").asText()
                    + "' must be an integer and greater than 0");
        }
        String name = text(v, "name") != null ? text(v, "name") : text(v, "display_name");
        String desc = text(v, "description") != null ? text(v, "description") : text(v, "display_description");
        Volume created = volumes.create(r.context(), (int) size, name, desc, strings(v.get("metadata")));
        return ApiResponse.json(202, new JsonObject().put("volume", detail(created, r)));
    }

    ApiResponse show(ApiRequest r) {
        Volume v = volumes.get(r.context(), r.param("id"));
        return ApiResponse.json(200, new JsonObject().put("volume", detail(v, r)));
    }

    ApiResponse index(ApiRequest r) {
        return list(r, false);
    }

    ApiResponse detail(ApiRequest r) {
        return list(r, true);
    }

    private ApiResponse list(ApiRequest r, boolean detail) {
        boolean all = ListParams.allTenants(r);
        int limit = ListParams.limit(r, maxLimit);
        String name = r.query().get("name") != null ? r.query().get("name") : r.query().get("display_name");
        String status = r.query().get("status");
        JsonArray out = new JsonArray();
        for (Volume v : volumes.list(r.context(), all, limit, 0)) {
            if (name != null && !name.equals(v.displayName()) || status != null && !status.equals(v.status())) {
                continue;
            }
            out.add(detail ? detail(v, r) : new JsonObject().put("id", v.id()).put("name", v.displayName())
                    .put("links", Links.of(r.appUrl(), r.pathProjectId(), "volumes", v.id())));
        }
        return ApiResponse.json(200, new JsonObject().put("volumes", out));
    }

    ApiResponse delete(ApiRequest r) {
        volumes.delete(r.context(), r.param("id"));
        return ApiResponse.empty(202);
    }

    private JsonObject detail(Volume v, ApiRequest r) {
        Map<String, String> md = volumes.metadata(v.id());
        JsonObject metadata = new JsonObject();
        md.forEach(metadata::put);
        JsonObject o = new JsonObject()
                .put("id", v.id())
                .put("status", v.status())
                .put("size", v.size())
                .put("availability_zone", v.availabilityZone())
                .put("created_at", BackupViews.time(v.createdAt()))
                .put("updated_at", BackupViews.time(v.updatedAt()))
                .put("attachments", attachments(v))
                .put("name", v.displayName())
                .put("description", v.displayDescription())
                .put("volume_type", v.volumeTypeId() == null ? "__DEFAULT__" : v.volumeTypeId())
                .put("snapshot_id", (String) null)
                .put("source_volid", (String) null)
                .put("metadata", metadata)
                .put("links", Links.of(r.appUrl(), r.pathProjectId(), "volumes", v.id()))
                .put("user_id", v.userId())
                .put("bootable", String.valueOf(v.bootable()))
                .put("encrypted", v.encryptionKeyId() != null)
                .put("replication_status", (String) null)
                .put("consistencygroup_id", (String) null)
                .put("multiattach", v.multiattach());
        if (r.context().isAdmin()) {
            o.put("os-vol-tenant-attr:tenant_id", v.projectId());
            o.put("os-vol-host-attr:host", v.host());
            o.put("os-vol-mig-status-attr:migstat", (String) null);
            o.put("os-vol-mig-status-attr:name_id", (String) null);
        }
        if (r.version().atLeast(3, 13)) {
            o.put("group_id", (String) null);
        }
        if (r.version().atLeast(3, 63)) {
            o.put("volume_type_id", v.volumeTypeId());
        }
        if (r.version().atLeast(3, 65)) {
            o.put("consumes_quota", true);
        }
        return o;
    }

    /** cinder's volume view {@code _get_attachments}: the attachments in {@code attached} state. */
    private JsonArray attachments(Volume v) {
        JsonArray out = new JsonArray();
        for (dev.ember.model.Attachment a : volumes.attachments().ofVolume(v.id())) {
            if (!"attached".equals(a.attachStatus())) {
                continue;
            }
            out.add(new JsonObject()
                    .put("id", a.volumeId())
                    .put("attachment_id", a.id())
                    .put("volume_id", a.volumeId())
                    .put("server_id", a.instanceUuid())
                    .put("host_name", a.attachedHost())
                    .put("device", a.mountpoint())
                    .put("attached_at", BackupViews.time(a.attachTime())));
        }
        return out;
    }

    // ------------------------------------- /volumes/{id}/metadata (cinder's volume_metadata) ---

    /** cinder's volume_metadata schema {@code create} (also PUT of the whole set). */
    private static final Schema METADATA = new Schema().prop("metadata", Schema.metadata(false))
            .required("metadata");
    /** {@code update}: {@code meta} with exactly one item. */
    private static final Schema META = new Schema().prop("meta", v -> {
        String err = Schema.metadata(false).check(v);
        if (err != null) {
            return err;
        }
        if (v.size() < 1) {
            return "{} does not have enough properties";
        }
        return v.size() > 1 ? PyRepr.of(v) + " has too many properties" : null;
    }).required("meta");

    ApiResponse metadataIndex(ApiRequest r) {
        return ApiResponse.json(200, new JsonObject().put("metadata",
                json(volumes.getMetadata(r.context(), r.param("id")))));
    }

    ApiResponse metadataCreate(ApiRequest r) {
        METADATA.validate(null, r.body());
        return ApiResponse.json(200, new JsonObject().put("metadata", json(volumes.createMetadata(r.context(),
                r.param("id"), strings(r.body().get("metadata"))))));
    }

    ApiResponse metadataUpdateAll(ApiRequest r) {
        METADATA.validate(null, r.body());
        return ApiResponse.json(200, new JsonObject().put("metadata", json(volumes.updateMetadata(r.context(),
                r.param("id"), strings(r.body().get("metadata")), true))));
    }

    ApiResponse metadataShow(ApiRequest r) {
        String key = r.param("key");
        Map<String, String> md = volumes.getMetadata(r.context(), r.param("id"));
        if (!md.containsKey(key)) {
            throw CinderException.notFound("Volume " + r.param("id") + " has no metadata with key " + key + ".");
        }
        return ApiResponse.json(200, new JsonObject().put("meta", new JsonObject().put(key, md.get(key))));
    }

    ApiResponse metadataUpdate(ApiRequest r) {
        META.validate(null, r.body());
        String key = r.param("key");
        Map<String, String> item = strings(r.body().get("meta"));
        if (!item.containsKey(key)) {
            throw CinderException.badRequest("Request body and URI mismatch");
        }
        if (item.size() > 1) {
            throw CinderException.badRequest("Request body contains too many items");
        }
        volumes.updateMetadata(r.context(), r.param("id"), item, false);
        return ApiResponse.json(200, new JsonObject().put("meta", json(item)));
    }

    ApiResponse metadataDelete(ApiRequest r) {
        volumes.deleteMetadata(r.context(), r.param("id"), r.param("key"));
        return ApiResponse.empty(200);
    }

    private static JsonObject json(Map<String, String> md) {
        JsonObject o = new JsonObject();
        md.forEach(o::put);
        return o;
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
