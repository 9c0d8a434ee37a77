package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * Python's repr() of a JSON value, because cinder's validation messages embed the offending value
 * as Python printed it ({@code {}}, {@code 'abc'}, {@code None}, {@code True}).
 */
final class PyRepr {

    private static final int MAX = 200;

    private PyRepr() {
    }

    static String of(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        append(sb, n, 0);
        // Never echo megabytes of hostile input back into an error body.
        return sb.length() > MAX ? sb.substring(0, MAX) + "..." : sb.toString();
    }

    private static void append(StringBuilder sb, JsonNode n, int depth) {
        if (sb.length() > MAX || depth > 20) {
            sb.append("...");
            return;
        }
        if (n == null || n.isNull()) {
            sb.append("None");
        } else if (n.isBoolean()) {
            sb.append(n.asBoolean() ? "True" : "False");
        } else if (n.isNumber()) {
            sb.append(n.asText());
        } else if (n.isTextual()) {
            str(sb, n.asText());
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                append(sb, n.get(i), depth + 1);
                if (sb.length() > MAX) {
                    break;
                }
            }
            sb.append(']');
        } else if (n.isObject()) {
            sb.append('{');
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            boolean first = true;
            while (it.hasNext() && sb.length() <= MAX) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                str(sb, e.getKey());
                sb.append(": ");
                append(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else {
            sb.append(n.asText());
        }
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder();
        str(sb, s);
        return sb.length() > MAX ? sb.substring(0, MAX) + "..." : sb.toString();
    }

    private static void str(StringBuilder sb, String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(q);
        for (int i = 0; i < s.length() && i < MAX; i++) {
            char c = s.charAt(i);
            if (c == q || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append(q);
    }
}
