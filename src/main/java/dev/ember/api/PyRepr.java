package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * Python's repr() and str() of a JSON value as json.loads made it, because cinder's validation
 * messages embed the offending value as Python printed it ({@code {}}, {@code 'abc'},
 * {@code None}, {@code True}). Values are printed whole, as cinder does: the request body is
 * bounded (113 KiB), so is the message.
 */
final class PyRepr {

    /** Deeper than Python's own json parser (recursion limit) would ever hand over. */
    private static final int MAX_DEPTH = 1000;

    private PyRepr() {
    }

    /** repr(value). */
    static String of(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        append(sb, n, 0);
        return sb.toString();
    }

    /** str(value): a string bare, anything else as its repr (cinder's "Value: %s"). */
    static String display(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : of(n);
    }

    private static void append(StringBuilder sb, JsonNode n, int depth) {
        if (depth > MAX_DEPTH) {
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
            }
            sb.append(']');
        } else if (n.isObject()) {
            sb.append('{');
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            boolean first = true;
            while (it.hasNext()) {
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
        return sb.toString();
    }

    /**
     * Python 3's str.__repr__: single quotes unless the text has a single quote and no double
     * one; backslash, the quote, \n, \r, \t escaped; other non-printable code points (control,
     * format, surrogate, private-use, unassigned, and separators other than the ASCII space) as
     * backslash-x, -u or -U escapes; everything else, non-ASCII included, as is.
     */
    private static void str(StringBuilder sb, String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(q);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == q || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == ' ' || printable(c)) {
                sb.appendCodePoint(c);
            } else if (c < 0x100) {
                sb.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.append(String.format("\\U%08x", c));
            }
        }
        sb.append(q);
    }

    private static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
