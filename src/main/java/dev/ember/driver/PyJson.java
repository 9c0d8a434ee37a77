package dev.ember.driver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text byte for byte as Python's {@code json} module writes it, which is what cinder stores
 * and exports: parsers read any spacing, but clients and operators see these strings (export
 * records, {@code service_metadata}, the chunked driver's files), so Ember writes them as cinder.
 * Both forms escape like {@code ensure_ascii} (lower-case hex, surrogate pairs as two escapes).
 * Values: maps with String keys, lists, Jackson nodes, strings, integers, booleans and null.
 */
public final class PyJson {

    private PyJson() {
    }

    /**
     * {@code json.dumps(value)} with its defaults (oslo's jsonutils): separators {@code ", "} and
     * {@code ": "}, one line, keys in insertion order as Python's dicts keep them.
     */
    public static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, -1);
        return out.toString();
    }

    /**
     * {@code json.dumps(value, sort_keys=True, indent=2)} (cinder's chunked {@code _metadata} and
     * {@code _sha256file}): separators {@code ","} and {@code ": "}, two-space indent, no trailing
     * newline, keys in code-point order, empty containers as {@code []}/{@code {}}.
     */
    public static String dumpsSortedIndented(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.toString();
    }

    /** {@code depth} < 0: the one-line default form; otherwise the indented, sorted one. */
    private static void write(StringBuilder out, Object value, int depth) {
        if (value instanceof JsonNode n) {
            value = plain(n);
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(out, s);
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof java.math.BigInteger) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            writeMap(out, map, depth);
        } else if (value instanceof List<?> list) {
            writeList(out, list, depth);
        } else {
            throw new IllegalArgumentException("cannot serialise " + value.getClass());
        }
    }

    /** A Jackson node as the plain values above (objects keep their field order). */
    private static Object plain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isObject()) {
            Map<String, JsonNode> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
            return m;
        }
        if (n.isArray()) {
            List<JsonNode> l = new ArrayList<>();
            n.forEach(l::add);
            return l;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue();
        }
        throw new IllegalArgumentException("cannot serialise the JSON value " + n);
    }

    private static void writeMap(StringBuilder out, Map<?, ?> map, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<String> keys = new ArrayList<>();
        for (Object k : map.keySet()) {
            keys.add(String.valueOf(k));
        }
        if (depth >= 0) {
            keys.sort(PyJson::compareCodePoints);
        }
        out.append('{');
        Iterator<String> it = keys.iterator();
        boolean first = true;
        while (it.hasNext()) {
            String k = it.next();
            separate(out, first, depth + 1);
            first = false;
            quote(out, k);
            out.append(": ");
            write(out, map.get(k), depth < 0 ? -1 : depth + 1);
        }
        close(out, depth);
        out.append('}');
    }

    private static void writeList(StringBuilder out, List<?> list, int depth) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            separate(out, i == 0, depth + 1);
            write(out, list.get(i), depth < 0 ? -1 : depth + 1);
        }
        close(out, depth);
        out.append(']');
    }

    /** Before an item: ", " in the one-line form; "," (not before the first), newline and indent otherwise. */
    private static void separate(StringBuilder out, boolean first, int depth) {
        if (depth <= 0) {
            if (!first) {
                out.append(", ");
            }
            return;
        }
        if (!first) {
            out.append(',');
        }
        newline(out, depth);
    }

    private static void close(StringBuilder out, int depth) {
        if (depth >= 0) {
            newline(out, depth);
        }
    }

    private static void newline(StringBuilder out, int depth) {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append("  ");
        }
    }

    /** Python sorts str keys by code point; Java's compareTo would order surrogates differently. */
    static int compareCodePoints(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= 0x20 && c <= 0x7e) {
                        out.append(c);
                    } else {
                        // Surrogate pairs come out as two escapes, exactly as Python writes them.
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        out.append('"');
    }
}
