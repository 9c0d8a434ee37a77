package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;
import dev.ember.model.Attachment;
import dev.ember.volume.AttachmentService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.LocalDateTime;
import java.util.List;

/**
 * {@code /attachments} (3.27+, cinder/api/v3/attachments.py): create, list, detail, show, update
 * (connector), delete and the {@code os-complete} action (3.44), with cinder's attachment views.
 */
final class AttachmentsController {

    private static final String NOT_FOUND = "The resource could not be found.";

    private final AttachmentService attachments;
    private final int maxLimit;

    AttachmentsController(AttachmentService attachments, int maxLimit) {
        this.attachments = attachments;
        this.maxLimit = maxLimit;
    }

    private static final Schema.Rule CONNECTOR = v -> v.isObject() || v.isNull() ? null
            : PyRepr.of(v) + " is not of type 'object', 'null'";
    private static final Schema.Rule MODE = v -> v.isTextual() && (v.asText().equals("rw") || v.asText().equals("ro"))
            ? null : PyRepr.of(v) + " is not one of ['rw', 'ro']";

    private static Schema createSchema(boolean withMode) {
        Schema inner = new Schema()
                .prop("instance_uuid", Schema.uuid(false))
                .prop("connector", CONNECTOR)
                .prop("volume_uuid", Schema.uuid(false));
        if (withMode) {
            inner.prop("mode", MODE);
        }
        return new Schema().prop("attachment", Schema.object(inner.required("volume_uuid"), "attachment", false))
                .required("attachment");
    }

    private static final Schema CREATE = createSchema(false);
    private static final Schema CREATE_354 = createSchema(true);
    private static final Schema UPDATE = new Schema().prop("attachment", Schema.object(new Schema()
            .prop("connector", v -> v.isObject() ? null : PyRepr.of(v) + " is not of type 'object'")
            .required("connector"), "attachment", false)).required("attachment");

    ApiResponse create(ApiRequest r) {
        JsonNode body = r.body();
        (r.version().atLeast(3, 54) ? CREATE_354 : CREATE).validate(null, body);
        JsonNode a = body.get("attachment");
        JsonNode connector = a.get("connector");
        String connectorJson = connector == null || connector.isNull() || connector.isEmpty() ? null : connector.toString();
        String mode = a.hasNonNull("mode") ? a.get("mode").asText() : null;
        Attachment created = attachments.create(r.context(), a.get("volume_uuid").asText(),
                a.hasNonNull("instance_uuid") ? a.get("instance_uuid").asText() : null, connectorJson, mode);
        return ApiResponse.json(200, new JsonObject().put("attachment", detail(created)));
    }

    ApiResponse update(ApiRequest r) {
        JsonNode body = r.body();
        UPDATE.validate(null, body);
        String id = r.param("id");
        attachments.get(r.context(), id);
        Attachment updated = attachments.update(r.context(), id, body.get("attachment").get("connector").toString());
        return ApiResponse.json(200, new JsonObject().put("attachment", detail(updated)));
    }

    ApiResponse show(ApiRequest r) {
        return ApiResponse.json(200, new JsonObject().put("attachment", detail(attachments.get(r.context(), r.param("id")))));
    }

    ApiResponse index(ApiRequest r) {
        return list(r, false);
    }

    ApiResponse detail(ApiRequest r) {
        return list(r, true);
    }

    private ApiResponse list(ApiRequest r, boolean detail) {
        boolean all = ListParams.allTenants(r);
        String instance = r.query().get("instance_id") != null ? r.query().get("instance_id") : r.query().get("instance_uuid");
        String status = r.query().get("attach_status") != null ? r.query().get("attach_status") : r.query().get("status");
        List<Attachment> page = attachments.list(r.context(), all, r.query().get("volume_id"), instance, status,
                ListParams.limit(r, maxLimit), ListParams.offset(r));
        return ApiResponse.json(200, new JsonObject().put("attachments", views(page, detail)));
    }

    ApiResponse delete(ApiRequest r) {
        List<Attachment> remaining = attachments.delete(r.context(), r.param("id"));
        return ApiResponse.json(200, new JsonObject().put("attachments", views(remaining, false)));
    }

    /** {@code POST /attachments/{id}/action}: {@code os-complete} from 3.44. */
    ApiResponse action(ApiRequest r) {
        JsonNode body = r.body();
        if (!body.isObject() || body.size() != 1) {
            throw CinderException.badRequest("Malformed request body");
        }
        String action = body.fieldNames().next();
        if (action.equals("os-complete")) {
            if (!r.version().atLeast(3, 44)) {
                throw CinderException.notFound(NOT_FOUND);
            }
            attachments.complete(r.context(), r.param("id"));
            return ApiResponse.empty(204);
        }
        throw CinderException.badRequest("There is no such action: " + action);
    }

    private static JsonArray views(List<Attachment> list, boolean detail) {
        JsonArray out = new JsonArray();
        for (Attachment a : list) {
            out.add(detail ? detail(a) : summary(a));
        }
        return out;
    }

    static JsonObject summary(Attachment a) {
        return new JsonObject()
                .put("id", a.id())
                .put("status", a.attachStatus())
                .put("instance", a.instanceUuid())
                .put("volume_id", a.volumeId());
    }

    static JsonObject detail(Attachment a) {
        Object connectionInfo = null;
        if (a.connectionInfo() != null) {
            try {
                connectionInfo = new JsonObject(a.connectionInfo());
            } catch (RuntimeException e) {
                connectionInfo = a.connectionInfo();
            }
        }
        return summary(a)
                .put("attached_at", normalize(a.attachTime()))
                .put("detached_at", normalize(a.detachTime()))
                .put("attach_mode", a.attachMode())
                .put("connection_info", connectionInfo);
    }

    /** The view's {@code _normalize}: '' for no date. */
    private static String normalize(LocalDateTime t) {
        return t == null ? "" : BackupViews.time(t);
    }
}
