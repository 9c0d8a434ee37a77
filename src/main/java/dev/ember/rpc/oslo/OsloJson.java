package dev.ember.rpc.oslo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as oslo.messaging carries it, converted to plain immutable Java values: {@code null},
 * {@link Boolean}, {@link Long} (or {@link BigInteger}), {@link Double}, {@link String},
 * unmodifiable {@link List} and insertion-ordered unmodifiable {@link Map} (which may hold
 * {@code null} values, as Python dicts do), and {@link VersionedObject} for every dict that is an
 * oslo.versionedobjects primitive.
 */
public final class OsloJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OsloJson() {
    }

    /** Parses a JSON text into plain values. */
    public static Object parse(String json) {
        try {
            return toPlain(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new OsloProtocolException("not JSON: " + e.getMessage(), e);
        }
    }

    public static Object parse(byte[] json) {
        try {
            return toPlain(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new OsloProtocolException("not JSON: " + e.getMessage(), e);
        }
    }

    /** Writes plain values as JSON (Python's {@code json.dumps} accepts what this produces and vice versa). */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(toNode(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize: " + e.getOriginalMessage(), e);
        }
    }

    public static Object toPlain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            for (JsonNode e : n) {
                out.add(toPlain(e));
            }
            return Collections.unmodifiableList(out);
        }
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), toPlain(e.getValue()));
            }
            if (out.containsKey(VersionedObject.NAME_KEY) && out.containsKey(VersionedObject.DATA_KEY)) {
                return VersionedObject.fromPrimitive(out);
            }
            return Collections.unmodifiableMap(out);
        }
        throw new OsloProtocolException("unsupported JSON node " + n.getNodeType());
    }

    public static JsonNode toNode(Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof JsonNode j) {
            return j;
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof BigInteger b) {
            return NODES.numberNode(b);
        }
        if (v instanceof BigDecimal b) {
            return NODES.numberNode(b);
        }
        if (v instanceof Number n) {
            return NODES.numberNode(n.doubleValue());
        }
        if (v instanceof CharSequence s) {
            return NODES.textNode(s.toString());
        }
        if (v instanceof VersionedObject o) {
            return toNode(o.toPrimitive());
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                o.set(String.valueOf(e.getKey()), toNode(e.getValue()));
            }
            return o;
        }
        if (v instanceof Iterable<?> it) {
            ArrayNode a = NODES.arrayNode();
            for (Object e : it) {
                a.add(toNode(e));
            }
            return a;
        }
        if (v instanceof Object[] arr) {
            ArrayNode a = NODES.arrayNode();
            for (Object e : arr) {
                a.add(toNode(e));
            }
            return a;
        }
        if (v instanceof Enum<?> e) {
            return NODES.textNode(e.name());
        }
        throw new IllegalArgumentException("cannot serialize " + v.getClass().getName());
    }

    /** An unmodifiable, insertion-ordered copy that keeps {@code null} values. */
    public static Map<String, Object> frozenMap(Map<String, ?> m) {
        if (m == null) {
            return Collections.emptyMap();
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new OsloProtocolException("field " + key + " is not a string: " + v);
    }

    static boolean bool(Map<String, Object> m, String key, boolean def) {
        Object v = m.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new OsloProtocolException("field " + key + " is not a boolean: " + v);
    }

    static Integer integer(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                throw new OsloProtocolException("field " + key + " is not an integer: " + v);
            }
        }
        throw new OsloProtocolException("field " + key + " is not an integer: " + v);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> dict(Object v, String what) {
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new OsloProtocolException(what + " is not a JSON object");
    }
}
