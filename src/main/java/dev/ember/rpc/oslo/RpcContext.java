package dev.ember.rpc.oslo;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The request context that travels with every RPC message as flattened {@code _context_<key>}
 * entries ({@code cinder.context.RequestContext.to_dict()}). {@code values} holds the keys without
 * the prefix, in wire order, unknown keys included.
 */
public record RpcContext(Map<String, Object> values) {

    public static final String PREFIX = "_context_";
    private static final DateTimeFormatter PY_ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    public RpcContext {
        values = OsloJson.frozenMap(values);
    }

    /**
     * A context as cinder builds one for a user (or, with nulls, as {@code get_admin_context()}):
     * every key {@code RequestContext.to_dict()} writes in Zed, in its order.
     */
    public static RpcContext of(String userId, String projectId, boolean isAdmin, List<String> roles,
                                String authToken, String requestId, String globalRequestId) {
        String rid = requestId != null ? requestId : "req-" + UUID.randomUUID();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("user", userId);
        v.put("project_id", projectId);
        v.put("system_scope", null);
        v.put("project", projectId);
        v.put("domain", null);
        v.put("user_domain", null);
        v.put("project_domain", null);
        v.put("is_admin", isAdmin);
        v.put("read_only", false);
        v.put("show_deleted", false);
        v.put("auth_token", authToken);
        v.put("request_id", rid);
        v.put("global_request_id", globalRequestId);
        v.put("resource_uuid", null);
        v.put("roles", roles == null ? List.of() : List.copyOf(roles));
        v.put("user_identity", (userId == null ? "-" : userId) + " " + (projectId == null ? "-" : projectId)
                + " - - -");
        v.put("is_admin_project", true);
        v.put("user_id", userId);
        v.put("project_name", null);
        v.put("domain_id", null);
        v.put("read_deleted", "no");
        v.put("remote_address", null);
        v.put("timestamp", LocalDateTime.now(ZoneOffset.UTC).format(PY_ISO));
        v.put("quota_class", null);
        v.put("service_catalog", List.of());
        v.put("message_resource_id", null);
        v.put("message_resource_type", null);
        v.put("message_action", null);
        return new RpcContext(v);
    }

    /** cinder's {@code context.get_admin_context()}. */
    public static RpcContext admin() {
        return of(null, null, true, List.of("admin"), null, null, null);
    }

    /** Picks the {@code _context_*} keys of a request or notification dict. */
    public static RpcContext fromMessage(Map<String, Object> msg) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : msg.entrySet()) {
            if (e.getKey().startsWith(PREFIX)) {
                v.put(e.getKey().substring(PREFIX.length()), e.getValue());
            }
        }
        return new RpcContext(v);
    }

    /** Adds the flattened keys to an outgoing message dict. */
    public void packInto(Map<String, Object> msg) {
        for (Map.Entry<String, Object> e : values.entrySet()) {
            msg.put(PREFIX + e.getKey(), e.getValue());
        }
    }

    public String userId() {
        Object v = values.get("user_id");
        return v instanceof String s ? s : (values.get("user") instanceof String u ? u : null);
    }

    public String projectId() {
        Object v = values.get("project_id");
        return v instanceof String s ? s : (values.get("tenant") instanceof String t ? t : null);
    }

    public String requestId() {
        return values.get("request_id") instanceof String s ? s : null;
    }

    public String globalRequestId() {
        return values.get("global_request_id") instanceof String s ? s : null;
    }

    public boolean isAdmin() {
        return Boolean.TRUE.equals(values.get("is_admin"));
    }

    public List<String> roles() {
        List<String> out = new ArrayList<>();
        if (values.get("roles") instanceof List<?> l) {
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
        }
        return List.copyOf(out);
    }
}
