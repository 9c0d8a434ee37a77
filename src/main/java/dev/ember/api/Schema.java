package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subset of JSON Schema that cinder's request schemas use, with jsonschema's messages
 * wrapped the way cinder's validator wraps them: "Invalid input for field/attribute F. Value: V.
 * M", or the bare message for errors at the root.
 */
final class Schema {

    static final Pattern UUID = Pattern.compile(
            "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$");
    private static final Pattern METADATA_KEY = Pattern.compile("^[a-zA-Z0-9-_:. /]{1,255}$");

    static final List<String> BOOL_STRINGS = List.of("True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes",
            "yes", "y", "t", "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no", "n", "f");
    private static final Set<String> TRUE_STRINGS = Set.of("True", "TRUE", "true", "1", "ON", "On", "on", "YES",
            "Yes", "yes", "y", "t");

    /** A property rule: checks one value, returns a jsonschema message or null. */
    interface Rule {
        String check(JsonNode value);
    }

    private final Map<String, Rule> properties = new LinkedHashMap<>();
    private final List<String> required = new ArrayList<>();

    Schema prop(String name, Rule rule) {
        properties.put(name, rule);
        return this;
    }

    Schema required(String... names) {
        required.addAll(List.of(names));
        return this;
    }

    /**
     * Validates {@code value}, an object found under key {@code field} (null at the root).
     */
    void validate(String field, JsonNode value) {
        if (value == null || !value.isObject()) {
            fail(field, value, PyRepr.of(value) + " is not of type 'object'");
        }
        for (String r : required) {
            if (!value.has(r)) {
                fail(field, value, PyRepr.str(r) + " is a required property");
            }
        }
        List<String> extra = new ArrayList<>();
        Iterator<String> names = value.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!properties.containsKey(n)) {
                extra.add(PyRepr.str(n));
            }
        }
        if (!extra.isEmpty()) {
            fail(field, value, "Additional properties are not allowed (" + String.join(", ", extra)
                    + (extra.size() == 1 ? " was" : " were") + " unexpected)");
        }
        for (Map.Entry<String, Rule> p : properties.entrySet()) {
            JsonNode v = value.get(p.getKey());
            if (v != null) {
                String msg = p.getValue().check(v);
                if (msg != null) {
                    fail(p.getKey(), v, msg);
                }
            }
        }
    }

    static void fail(String field, JsonNode value, String message) {
        if (field == null) {
            throw CinderException.badRequest(message);
        }
        throw CinderException.badRequest("Invalid input for field/attribute " + field + ". Value: "
                + PyRepr.of(value) + ". " + message);
    }

    // ------------------------------------------------------------ rules

    static Rule string(int min, int max, boolean nullable) {
        return v -> {
            if (v.isNull() && nullable) {
                return null;
            }
            if (!v.isTextual()) {
                return PyRepr.of(v) + " is not of type " + (nullable ? "'string', 'null'" : "'string'");
            }
            int len = v.asText().codePointCount(0, v.asText().length());
            if (len > max) {
                return PyRepr.of(v) + " is too long";
            }
            if (len < min) {
                return PyRepr.of(v) + " is too short";
            }
            return null;
        };
    }

    static Rule uuid(boolean nullable) {
        return v -> {
            if (v.isNull() && nullable) {
                return null;
            }
            if (!v.isTextual()) {
                return PyRepr.of(v) + " is not of type " + (nullable ? "'string', 'null'" : "'string'");
            }
            if (!UUID.matcher(v.asText()).matches()) {
                return PyRepr.of(v) + " is not a 'uuid'";
            }
            return null;
        };
    }

    static Rule bool() {
        return v -> {
            if (v.isBoolean() || v.isTextual() && BOOL_STRINGS.contains(v.asText())) {
                return null;
            }
            StringBuilder sb = new StringBuilder("[True, ");
            for (String s : BOOL_STRINGS.subList(0, 12)) {
                sb.append(PyRepr.str(s)).append(", ");
            }
            sb.append("False, ");
            List<String> falses = BOOL_STRINGS.subList(12, BOOL_STRINGS.size());
            for (int i = 0; i < falses.size(); i++) {
                sb.append(PyRepr.str(falses.get(i))).append(i + 1 < falses.size() ? ", " : "]");
            }
            return PyRepr.of(v) + " is not one of " + sb;
        };
    }

    static boolean truthy(JsonNode v) {
        return v != null && (v.isBoolean() ? v.asBoolean() : v.isTextual() && TRUE_STRINGS.contains(v.asText()));
    }

    static Rule metadata(boolean nullable) {
        return v -> {
            if (v.isNull() && nullable) {
                return null;
            }
            if (!v.isObject()) {
                return PyRepr.of(v) + " is not of type " + (nullable ? "'object', 'null'" : "'object'");
            }
            Iterator<Map.Entry<String, JsonNode>> it = v.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!METADATA_KEY.matcher(e.getKey()).matches()) {
                    return PyRepr.str(e.getKey()) + " does not match any of the regexes: '^[a-zA-Z0-9-_:. /]{1,255}$'";
                }
                if (!e.getValue().isTextual()) {
                    return PyRepr.of(e.getValue()) + " is not of type 'string'";
                }
                if (e.getValue().asText().length() > 255) {
                    return PyRepr.of(e.getValue()) + " is too long";
                }
            }
            return null;
        };
    }

    static Rule object(Schema inner, String name, boolean nullable) {
        return v -> {
            if (v.isNull() && nullable) {
                return null;
            }
            inner.validate(name, v);
            return null;
        };
    }

    static Rule integer(int min) {
        return v -> {
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                return PyRepr.of(v) + " is not of type 'integer'";
            }
            return v.asInt() < min ? PyRepr.of(v) + " is less than the minimum of " + min : null;
        };
    }

    static Rule any() {
        return v -> null;
    }
}
