package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.auth.Policy;
import dev.ember.model.Backup;
import dev.ember.backup.BackupService;
import dev.ember.model.BackupStatus;
import dev.ember.model.BackupUpdate;
import dev.ember.backup.CreateBackupRequest;
import dev.ember.error.CinderException;
import dev.ember.rpc.BackupRpc;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** {@code /v3/{project_id}/backups}: cinder's backups controller and backup admin actions. */
final class BackupsController {

    private final BackupService service;
    private final Policy policy;
    private final int maxLimit;

    BackupsController(BackupService service, Policy policy, int maxLimit) {
        this.service = service;
        this.policy = policy;
        this.maxLimit = maxLimit;
    }

    private static Schema createSchema(Microversion v) {
        Schema inner = new Schema()
                .prop("volume_id", Schema.uuid(false))
                .prop("container", Schema.string(0, 255, true))
                .prop("description", Schema.description())
                .prop("incremental", Schema.bool())
                .prop("force", Schema.bool())
                .prop("name", Schema.string(0, 255, true))
                .prop("snapshot_id", Schema.uuid(true))
                .required("volume_id");
        if (v.atLeast(3, 43)) {
            inner.prop("metadata", Schema.metadata(true));
        }
        if (v.atLeast(3, 51)) {
            inner.prop("availability_zone", Schema.string(0, 255, true));
        }
        return new Schema().prop("backup", Schema.object(inner, "backup", false)).required("backup");
    }

    private static Schema updateSchema(Microversion v) {
        Schema inner = new Schema()
                .prop("name", Schema.string(0, 255, true))
                .prop("description", Schema.description());
        if (v.atLeast(3, 43)) {
            inner.prop("metadata", Schema.metadata(false));
        }
        return new Schema().prop("backup", Schema.object(inner, "backup", false)).required("backup");
    }

    // Property order is cinder's (schemas/backups.py): jsonschema reports the first failing one.
    private static final Schema RESTORE = new Schema().prop("restore", Schema.object(new Schema()
            .prop("name", Schema.string(0, 255, true))
            .prop("volume_id", Schema.uuid(true)), "restore", true)).required("restore");

    private static final Schema IMPORT = new Schema().prop("backup-record", Schema.object(new Schema()
            .prop("backup_service", Schema.string(0, 255, false))
            .prop("backup_url", v -> {
                String m = Schema.string(1, Integer.MAX_VALUE, false).check(v);
                if (m != null) {
                    return m;
                }
                return Schema.decodesAsBase64(v.asText()) ? null : PyRepr.of(v) + " is not a 'base64'";
            })
            .required("backup_service", "backup_url"), "backup-record", false)).required("backup-record");

    // ------------------------------------------------------------------ reads

    ApiResponse index(ApiRequest r) {
        return list(r, false);
    }

    ApiResponse detail(ApiRequest r) {
        return list(r, true);
    }

    private ApiResponse list(ApiRequest r, boolean detail) {
        policy.enforce("backup:get_all", r.context());
        BackupListRequest lr = BackupListRequest.parse(r.query(), r.version(), r.context(), maxLimit,
                service::isSortKey);
        List<Backup> page = service.list(lr.query());
        JsonObject body = new JsonObject().put("backups", BackupViews.list(page, r, policy, detail));
        Integer count = lr.withCount() ? service.count(lr.query()) : null;
        int itemCount = count != null ? count : page.size();
        if (!page.isEmpty() && lr.query().limit() <= itemCount) {
            body.put("backups_links", new JsonArray().add(new JsonObject().put("rel", "next")
                    .put("href", nextLink(r, page.get(page.size() - 1).id()))));
        }
        if (count != null) {
            body.put("count", count);
        }
        return ApiResponse.json(200, body);
    }

    /**
     * cinder's _get_next_link: the request's query parameters in their order (repeats kept),
     * any old marker dropped and the new one appended last (webob MultiDict assignment), encoded
     * by Python's urlencode (quote_plus).
     */
    private static String nextLink(ApiRequest r, String lastId) {
        StringBuilder qs = new StringBuilder();
        for (Map.Entry<String, String> e : r.query().entries()) {
            if (!e.getKey().equals("marker")) {
                appendParam(qs, e.getKey(), e.getValue());
            }
        }
        appendParam(qs, "marker", lastId);
        return r.appUrl() + r.path() + "?" + qs;
    }

    private static void appendParam(StringBuilder qs, String key, String value) {
        if (qs.length() > 0) {
            qs.append('&');
        }
        qs.append(quotePlus(key)).append('=').append(quotePlus(value));
    }

    /** Python's urllib.parse.quote_plus: letters, digits and "_.-~" kept, space as "+", UTF-8 %XX otherwise. */
    static String quotePlus(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                    || c == '-' || c == '~') {
                out.append((char) c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    /**
     * cinder's {@code backup_api.get}: the backup as the caller finds it (404 when it is another
     * project's and the caller has a project), then {@code backup:get} with the backup as target
     * (403: e.g. a reader of a domain or the system, who has no project).
     */
    private Backup visible(ApiRequest r) {
        Backup b = service.get(r.context(), id(r));
        policy.enforce("backup:get", r.context(), target(b));
        return b;
    }

    private static Map<String, Object> target(Backup b) {
        return Policy.target(b.projectId(), b.userId());
    }

    ApiResponse show(ApiRequest r) {
        Backup b = visible(r);
        return ApiResponse.json(200, new JsonObject().put("backup", BackupViews.detail(b, r, policy)));
    }

    // ------------------------------------------------------------------ writes

    ApiResponse create(ApiRequest r) {
        JsonNode body = r.body();
        createSchema(r.version()).validate(null, body);
        JsonNode b = body.get("backup");
        // cinder's backup_api.create: the volume as volume_api.get finds it (404), then the rule
        // with the volume as target.
        dev.ember.model.Volume source = service.sourceVolume(r.context(), text(b, "volume_id"));
        policy.enforce("backup:create", r.context(), Policy.target(source.projectId(), source.userId()));
        Map<String, String> metadata = null;
        if (b.hasNonNull("metadata")) {
            metadata = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = b.get("metadata").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                metadata.put(e.getKey(), e.getValue().asText());
            }
        }
        CreateBackupRequest req = new CreateBackupRequest(
                text(b, "volume_id"), text(b, "container"), text(b, "name"), text(b, "description"),
                Schema.truthy(b.get("incremental")), Schema.truthy(b.get("force")), text(b, "snapshot_id"),
                metadata, text(b, "availability_zone"));
        Backup created = service.create(r.context(), req);
        return ApiResponse.json(202, new JsonObject().put("backup", BackupViews.summary(created, r)));
    }

    ApiResponse update(ApiRequest r) {
        JsonNode body = r.body();
        updateSchema(r.version()).validate(null, body);
        policy.enforce("backup:update", r.context(), target(visible(r)));
        JsonNode b = body.get("backup");
        BackupUpdate changes = BackupUpdate.NONE;
        if (b.has("name")) {
            changes = changes.withName(text(b, "name"));
        }
        if (b.has("description")) {
            changes = changes.withDescription(text(b, "description"));
        }
        if (b.has("metadata")) {
            Map<String, String> metadata = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = b.get("metadata").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                metadata.put(e.getKey(), e.getValue().asText());
            }
            changes = changes.withMetadata(metadata);
        }
        Backup updated = service.update(r.context(), id(r), changes);
        return ApiResponse.json(200, new JsonObject().put("backup", BackupViews.summary(updated, r)));
    }

    ApiResponse delete(ApiRequest r) {
        policy.enforce("backup:delete", r.context(), target(visible(r)));
        service.delete(r.context(), id(r), false);
        return ApiResponse.empty(202);
    }

    ApiResponse restore(ApiRequest r) {
        JsonNode body = r.body();
        RESTORE.validate(null, body);
        policy.enforce("backup:restore", r.context(), target(visible(r)));
        JsonNode rest = body.get("restore");
        String volumeId = rest.isNull() ? null : text(rest, "volume_id");
        String name = rest.isNull() ? null : text(rest, "name");
        BackupService.RestoreResult res = service.restore(r.context(), id(r), volumeId, name);
        return ApiResponse.json(202, new JsonObject().put("restore", new JsonObject()
                .put("backup_id", res.backupId())
                .put("volume_id", res.volumeId())
                .put("volume_name", res.volumeName())));
    }

    ApiResponse exportRecord(ApiRequest r) {
        policy.enforce("backup:export-import", r.context());
        BackupRpc.ExportedRecord rec = service.export(r.context(), id(r));
        return ApiResponse.json(200, new JsonObject().put("backup-record", new JsonObject()
                .put("backup_service", rec.backupService())
                .put("backup_url", rec.backupUrl())));
    }

    ApiResponse importRecord(ApiRequest r) {
        JsonNode body = r.body();
        IMPORT.validate(null, body);
        policy.enforce("backup:backup-import", r.context());
        JsonNode rec = body.get("backup-record");
        Backup b = service.importRecord(r.context(), rec.get("backup_service").asText(), rec.get("backup_url").asText());
        return ApiResponse.json(201, new JsonObject().put("backup", BackupViews.summary(b, r)));
    }

    /** POST /backups/{id}/action: os-reset_status and os-force_delete. */
    ApiResponse action(ApiRequest r) {
        // cinder's wsgi action_peek_json: no body names no action; the body must hold exactly one
        // item (len() == 1) and that item must be a key of an object: a 1-element list or string
        // fails on .keys() and a scalar on len(), both answered as a missing resource.
        if (!r.hasBody()) {
            throw noSuchAction("None");
        }
        JsonNode body = r.body();
        if (body.isNull() || body.isNumber() || body.isBoolean()) {
            throw CinderException.notFound(NOT_FOUND);
        }
        int len = body.isTextual() ? body.asText().codePointCount(0, body.asText().length()) : body.size();
        if (len != 1) {
            throw CinderException.badRequest("Malformed request body");
        }
        if (!body.isObject()) {
            throw CinderException.notFound(NOT_FOUND);
        }
        String action = body.fieldNames().next();
        JsonNode arg = body.get(action);
        switch (action) {
            case "os-reset_status" -> {
                new Schema().prop("os-reset_status", Schema.object(new Schema()
                        .prop("status", Schema.string(0, 255, false)).required("status"), "os-reset_status", false))
                        .required("os-reset_status").validate(null, body);
                policy.enforce("volume_extension:backup_admin_actions:reset_status", r.context());
                String status = arg.get("status").asText().toLowerCase(Locale.ROOT);
                if (!status.equals(BackupStatus.AVAILABLE.value()) && !status.equals(BackupStatus.ERROR.value())) {
                    throw CinderException.badRequest("Backup status: " + arg.get("status").asText()
                            + " is invalid, valid statuses are: ['available', 'error'].");
                }
                service.resetStatus(r.context(), id(r), status);
                return ApiResponse.empty(202);
            }
            case "os-force_delete" -> {
                policy.enforce("volume_extension:backup_admin_actions:force_delete", r.context());
                service.delete(r.context(), id(r), true);
                return ApiResponse.empty(202);
            }
            default -> throw noSuchAction(action);
        }
    }

    private static final String NOT_FOUND = "The resource could not be found.";

    private static CinderException noSuchAction(String action) {
        return CinderException.badRequest("There is no such action: " + action
                + ". Verify the request body and Content-Type header and try again.");
    }

    private static String id(ApiRequest r) {
        String id = r.param("id");
        return id;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
