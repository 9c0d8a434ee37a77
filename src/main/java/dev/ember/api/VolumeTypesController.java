package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;
import dev.ember.model.VolumeType;
import dev.ember.volume.VolumeTypeService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /types} (cinder/api/v3/types.py, the types_manage and volume_type_access extensions and
 * cinder/api/v3/views/types.py): list, show (also {@code default}), create and delete.
 */
final class VolumeTypesController {

    /** cinder's USER_VISIBLE_EXTRA_SPECS: what a caller without read_sensitive sees. */
    private static final List<String> USER_VISIBLE = List.of("RESKEY:availability_zones", "multiattach",
            "replication_enabled");
    private static final String ACCESS_KEY = "os-volume-type-access:is_public";

    /** cinder/api/schemas/volume_types.py {@code create}. */
    private static final Schema CREATE = new Schema().prop("type", Schema.any())
            .prop("volume_type", Schema.object(new Schema()
                    .prop("name", Schema.string(1, 255, false))
                    .prop("description", Schema.description())
                    .prop("extra_specs", Schema.metadata(true))
                    .prop(ACCESS_KEY, Schema.bool())
                    .required("name"), "volume_type", false))
            .required("volume_type");

    private final VolumeTypeService types;

    VolumeTypesController(VolumeTypeService types) {
        this.types = types;
    }

    ApiResponse index(ApiRequest r) {
        Boolean isPublic = r.context().isAdmin() ? parseIsPublic(r.query().get("is_public")) : Boolean.TRUE;
        JsonArray out = new JsonArray();
        for (VolumeType t : types.list(r.context(), isPublic)) {
            out.add(view(t, r, true));
        }
        return ApiResponse.json(200, new JsonObject().put("volume_types", out));
    }

    ApiResponse show(ApiRequest r) {
        String id = r.param("id");
        VolumeType t = types.get(r.context(), id);
        // The access extension finds the type in the request's cache by the id in the URL, which
        // for "default" is no type id: that answer has no access flag.
        return ApiResponse.json(200, new JsonObject().put("volume_type", view(t, r, !"default".equals(id))));
    }

    ApiResponse create(ApiRequest r) {
        JsonNode body = r.body();
        CREATE.validate(null, body);
        JsonNode vt = body.get("volume_type");
        String name = vt.get("name").asText();
        if (name.strip().isEmpty()) {
            throw CinderException.badRequest("Name has a minimum character requirement of 1.");
        }
        JsonNode d = vt.get("description");
        String description = d == null || d.isNull() ? null : d.asText();
        boolean isPublic = !vt.has(ACCESS_KEY) || Schema.truthy(vt.get(ACCESS_KEY));
        Map<String, String> specs = new LinkedHashMap<>();
        JsonNode es = vt.get("extra_specs");
        if (es != null && es.isObject()) {
            es.fields().forEachRemaining(e -> specs.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        }
        VolumeType t = types.create(r.context(), name, description, isPublic, specs);
        // types_manage answers with the v2 view (cinder/api/views/types.py): every extra spec, no
        // QoS id; the access extension adds its flag.
        JsonObject o = new JsonObject().put("id", t.id()).put("name", t.name()).put("is_public", t.isPublic())
                .put("extra_specs", new JsonObject(new LinkedHashMap<>(t.extraSpecs())))
                .put("description", t.description());
        if (types.may(r.context(), "volume_extension:volume_type_access")) {
            o.put(ACCESS_KEY, t.isPublic());
        }
        return ApiResponse.json(200, new JsonObject().put("volume_type", o));
    }

    ApiResponse delete(ApiRequest r) {
        types.delete(r.context(), r.param("id"));
        return ApiResponse.bare(202);
    }

    /** cinder's types view: extra specs and QoS id as the caller's policies allow. */
    private JsonObject view(VolumeType t, ApiRequest r, boolean withAccess) {
        JsonObject o = new JsonObject().put("id", t.id()).put("name", t.name()).put("is_public", t.isPublic())
                .put("description", t.description());
        if (types.may(r.context(), "volume_extension:access_types_extra_specs")) {
            JsonObject specs = new JsonObject();
            boolean sensitive = types.may(r.context(), "volume_extension:types_extra_specs:read_sensitive");
            t.extraSpecs().forEach((k, v) -> {
                if (sensitive || USER_VISIBLE.contains(k)) {
                    specs.put(k, v);
                }
            });
            o.put("extra_specs", specs);
        }
        if (types.may(r.context(), "volume_extension:access_types_qos_specs_id")) {
            o.put("qos_specs_id", t.qosSpecsId());
        }
        if (withAccess && types.may(r.context(), "volume_extension:volume_type_access")) {
            o.put(ACCESS_KEY, t.isPublic());
        }
        return o;
    }

    /** cinder's _parse_is_public: absent = public only, "none" = all, else a strict boolean. */
    private static Boolean parseIsPublic(String v) {
        if (v == null) {
            return Boolean.TRUE;
        }
        String l = v.toLowerCase(Locale.ROOT);
        if (l.equals("none")) {
            return null;
        }
        if (List.of("1", "t", "true", "on", "y", "yes").contains(l)) {
            return Boolean.TRUE;
        }
        if (List.of("0", "f", "false", "off", "n", "no").contains(l)) {
            return Boolean.FALSE;
        }
        throw CinderException.badRequest("Invalid is_public filter [" + v + "]");
    }
}
