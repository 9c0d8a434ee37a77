package dev.ember.driver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * JSON as Python's {@code json.dumps} writes it with its defaults (", " and ": " separators,
 * {@code ensure_ascii}): what cinder stores and exports (oslo's jsonutils calls it). Parsers read
 * any spacing, but clients and operators see these strings byte for byte (export records,
 * service_metadata), so Ember writes them as cinder does. Keys keep the node's insertion order,
 * as Python's dicts do.
 */
public final class PyJson {

    private PyJson() {
    }

    public static String dumps(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode n, StringBuilder out) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            out.append("null");
        } else if (n.isObject()) {
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            boolean first = true;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    out.append(", ");
                }
                first = false;
                string(e.getKey(), out);
                out.append(": ");
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (n.isArray()) {
            out.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(n.get(i), out);
            }
            out.append(']');
        } else if (n.isTextual()) {
            string(n.asText(), out);
        } else if (n.isBoolean()) {
            out.append(n.asBoolean() ? "true" : "false");
        } else {
            out.append(n.toString());
        }
    }

    /** Python's encoder: \" \\ \n \r \t \b \f, other controls and every non-ASCII char as \\uXXXX. */
    private static void string(String s, StringBuilder out) {
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
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
