package dev.ember.rpc.oslo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code failure} of a reply: oslo's {@code serialize_remote_exception} writes it as a JSON
 * <em>string</em> of {@code {"class", "module", "message", "tb", "args", "kwargs"}}.
 */
public record RemoteFailure(String className, String module, String message, List<String> traceback,
                            List<Object> args, Map<String, Object> kwargs) {

    public static final String CINDER_EXCEPTION_MODULE = "cinder.exception";
    public static final String DISPATCHER_MODULE = "oslo_messaging.rpc.dispatcher";

    public RemoteFailure {
        traceback = traceback == null ? List.of() : List.copyOf(traceback);
        args = args == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(args));
        kwargs = OsloJson.frozenMap(kwargs);
    }

    /** A cinder exception: oslo re-raises these as {@code <Class>_Remote} at the caller (cinder.exception is allowed). */
    public static RemoteFailure cinder(String className, String message) {
        return new RemoteFailure(className, CINDER_EXCEPTION_MODULE, message,
                List.of("Traceback (most recent call last):\n", className + ": " + message + "\n"),
                List.of(message), Map.of());
    }

    /** oslo_messaging.rpc.dispatcher.NoSuchMethod. */
    public static RemoteFailure noSuchMethod(String method) {
        String msg = "Endpoint does not support RPC method " + method;
        return new RemoteFailure("NoSuchMethod", DISPATCHER_MODULE, msg,
                List.of("oslo_messaging.rpc.dispatcher.NoSuchMethod: " + msg + "\n"), List.of(method), Map.of());
    }

    /** oslo_messaging.rpc.dispatcher.UnsupportedVersion. */
    public static RemoteFailure unsupportedVersion(String version, String method) {
        String msg = "Endpoint does not support RPC version " + version
                + (method != null ? ". Attempted method: " + method : "");
        Map<String, Object> kw = new LinkedHashMap<>();
        kw.put("method", method);
        return new RemoteFailure("UnsupportedVersion", DISPATCHER_MODULE, msg,
                List.of("oslo_messaging.rpc.dispatcher.UnsupportedVersion: " + msg + "\n"), List.of(version), kw);
    }

    public Map<String, Object> toDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class", className);
        m.put("module", module);
        m.put("message", message);
        m.put("tb", traceback);
        m.put("args", args);
        m.put("kwargs", kwargs);
        return m;
    }

    /** The JSON string that goes into the reply's {@code failure}. */
    public String toJson() {
        return OsloJson.write(toDict());
    }

    @SuppressWarnings("unchecked")
    public static RemoteFailure fromJson(String json) {
        Map<String, Object> m = OsloJson.dict(OsloJson.parse(json), "failure");
        List<String> tb = new java.util.ArrayList<>();
        if (m.get("tb") instanceof List<?> l) {
            for (Object o : l) {
                tb.add(String.valueOf(o));
            }
        }
        return new RemoteFailure(OsloJson.string(m, "class"), OsloJson.string(m, "module"),
                m.get("message") == null ? "" : String.valueOf(m.get("message")), tb,
                m.get("args") instanceof List<?> a ? (List<Object>) a : List.of(),
                m.get("kwargs") instanceof Map<?, ?> k ? (Map<String, Object>) k : Map.of());
    }
}
