package dev.ember.rpc.oslo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reply to a call: {@code {"result", "failure", "ending", "_msg_id", "_unique_id"}}. {@code failure}
 * is {@code null} on success; {@code ending} is false only for call-monitor heartbeats.
 */
public record RpcReply(Object result, RemoteFailure failure, boolean ending, String msgId, String uniqueId) {

    public static RpcReply success(String msgId, Object result) {
        return new RpcReply(result, null, true, msgId, RpcRequest.newId());
    }

    public static RpcReply failure(String msgId, RemoteFailure failure) {
        return new RpcReply(null, failure, true, msgId, RpcRequest.newId());
    }

    public boolean failed() {
        return failure != null;
    }

    public Map<String, Object> toDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", result);
        m.put("failure", failure == null ? null : failure.toJson());
        m.put("ending", ending);
        m.put("_msg_id", msgId);
        m.put("_unique_id", uniqueId);
        return m;
    }

    public static RpcReply fromDict(Map<String, Object> m) {
        Object f = m.get("failure");
        RemoteFailure failure = null;
        if (f instanceof String s) {
            failure = RemoteFailure.fromJson(s);
        } else if (f instanceof Map<?, ?>) {
            // Not what oslo writes, but harmless to accept.
            failure = RemoteFailure.fromJson(OsloJson.write(f));
        }
        return new RpcReply(m.get("result"), failure, OsloJson.bool(m, "ending", false),
                OsloJson.string(m, "_msg_id"), OsloJson.string(m, "_unique_id"));
    }
}
