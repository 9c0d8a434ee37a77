package dev.ember.rpc.oslo;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * oslo.messaging's rabbit message body: the version-2 envelope
 * {@code {"oslo.version": "2.0", "oslo.message": "<JSON string of the dict>"}} around request, reply
 * and notification dicts. Bodies without {@code oslo.version} are taken as the dict itself, as
 * {@code rpc_common.deserialize_msg} does. Pure functions, no I/O.
 */
public final class OsloCodec {

    public static final String VERSION_KEY = "oslo.version";
    public static final String MESSAGE_KEY = "oslo.message";
    public static final String ENVELOPE_VERSION = "2.0";
    public static final String CONTENT_TYPE = "application/json";
    public static final String CONTENT_ENCODING = "utf-8";

    private OsloCodec() {
    }

    /** The inner dict of a body (enveloped or not). */
    public static Map<String, Object> unwrap(byte[] body) {
        Object top = OsloJson.parse(body);
        Map<String, Object> m = OsloJson.dict(top, "message body");
        if (!m.containsKey(VERSION_KEY)) {
            return m;
        }
        Object v = m.get(VERSION_KEY);
        String version = v == null ? "" : v.toString();
        if (!version.split("\\.")[0].equals("2")) {
            throw new OsloProtocolException("unsupported oslo envelope version " + version);
        }
        Object inner = m.get(MESSAGE_KEY);
        if (!(inner instanceof String s)) {
            throw new OsloProtocolException("envelope without " + MESSAGE_KEY + " string");
        }
        return OsloJson.dict(OsloJson.parse(s), MESSAGE_KEY);
    }

    /** Envelope a dict, UTF-8 JSON. */
    public static byte[] wrap(Map<String, ?> inner) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put(VERSION_KEY, ENVELOPE_VERSION);
        env.put(MESSAGE_KEY, OsloJson.write(inner));
        return OsloJson.write(env).getBytes(StandardCharsets.UTF_8);
    }

    public static RpcRequest decodeRequest(byte[] body) {
        return RpcRequest.fromDict(unwrap(body));
    }

    public static byte[] encode(RpcRequest request) {
        return wrap(request.toDict());
    }

    public static RpcReply decodeReply(byte[] body) {
        return RpcReply.fromDict(unwrap(body));
    }

    public static byte[] encode(RpcReply reply) {
        return wrap(reply.toDict());
    }
}
