package dev.ember.rpc.oslo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One RPC request dict (cast or call):
 * {@code {"method", "args", "version", ["namespace"], ["_msg_id", "_reply_q", "_timeout"], "_unique_id",
 * "_context_*"...}}. A call has {@code msgId} and {@code replyQueue}; a cast has neither.
 */
public record RpcRequest(String method, Map<String, Object> args, String version, String namespace,
                         String msgId, String replyQueue, Object callMonitorTimeout, String uniqueId,
                         RpcContext context) {

    public RpcRequest {
        if (method == null) {
            throw new OsloProtocolException("request without method");
        }
        args = OsloJson.frozenMap(args);
        context = context == null ? new RpcContext(Map.of()) : context;
    }

    public static RpcRequest cast(String method, Map<String, ?> args, String version, RpcContext context) {
        return new RpcRequest(method, OsloJson.frozenMap(args), version, null, null, null, null, newId(), context);
    }

    public static RpcRequest call(String method, Map<String, ?> args, String version, String replyQueue,
                                  RpcContext context) {
        return new RpcRequest(method, OsloJson.frozenMap(args), version, null, newId(), replyQueue, null, newId(),
                context);
    }

    public boolean isCall() {
        return msgId != null;
    }

    /** uuid4().hex, as oslo's ids. */
    public static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The dict oslo.messaging's amqpdriver builds, keys in its order. */
    public Map<String, Object> toDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("args", args);
        if (version != null) {
            m.put("version", version);
        }
        if (namespace != null) {
            m.put("namespace", namespace);
        }
        if (msgId != null) {
            m.put("_msg_id", msgId);
            m.put("_reply_q", replyQueue);
            m.put("_timeout", callMonitorTimeout);
        }
        m.put("_unique_id", uniqueId);
        context.packInto(m);
        return m;
    }

    public static RpcRequest fromDict(Map<String, Object> m) {
        Object args = m.get("args");
        return new RpcRequest(OsloJson.string(m, "method"),
                args == null ? Map.of() : OsloJson.dict(args, "args"),
                m.containsKey("version") ? OsloJson.string(m, "version") : null,
                OsloJson.string(m, "namespace"),
                OsloJson.string(m, "_msg_id"),
                OsloJson.string(m, "_reply_q"),
                m.get("_timeout"),
                OsloJson.string(m, "_unique_id"),
                RpcContext.fromMessage(m));
    }

    /** The version the dispatcher compares; oslo defaults a missing one to 1.0. */
    public String effectiveVersion() {
        return version == null ? "1.0" : version;
    }
}
