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

    // Used like Python's re.search: find(), where '$' (UNIX_LINES) also matches before a final \n.
    private static final Pattern METADATA_KEY = Pattern.compile("^[a-zA-Z0-9-_:. /]{1,255}$", Pattern.UNIX_LINES);

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
    private boolean additionalProperties;

    /** {@code additionalProperties: True}: keys the schema does not name are accepted. */
    Schema allowAdditional() {
        additionalProperties = true;
        return this;
    }

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
     * jsonschema reports the first error in the order of the schema's keywords, which cinder's
     * schemas write as type, properties (in their own order), required, additionalProperties.
     */
    void validate(String field, JsonNode value) {
        validate(field, value, "'object'");
    }

    private void validate(String field, JsonNode value, String typeText) {
        if (value == null || !value.isObject()) {
            fail(field, value, PyRepr.of(value) + " is not of type " + typeText);
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
        for (String r : required) {
            if (!value.has(r)) {
                fail(field, value, PyRepr.str(r) + " is a required property");
            }
        }
        if (additionalProperties) {
            return;
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
    }

    /**
     * cinder's validator message: the field is the last element of jsonschema's error path (so a
     * nested error names the nested key), the value is printed with Python's str() (a string
     * bare, anything else as its repr); errors at the root are the bare jsonschema message.
     */
    static void fail(String field, JsonNode value, String message) {
        if (field == null) {
            throw CinderException.badRequest(message);
        }
        throw CinderException.badRequest("Invalid input for field/attribute " + field + ". Value: "
                + PyRepr.display(value) + ". " + message);
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

    /**
     * cinder's {@code description}: a nullable string of at most 255 characters matching its
     * printable-character pattern (every code point in the BMP whose category is not C* nor Z*
     * other than Zs, by Python 3.11's Unicode 14 tables; Python's "$" also lets one trailing
     * newline through). The set and the pattern's repr (jsonschema prints it in the message)
     * are in {@code cinder-description-pattern.txt}, written by this script and checked equal
     * to cinder 21.3.1's valid_description_regex:
     * <pre>
     * import re, unicodedata
     * def ok(c):
     *     cat = unicodedata.category(c)
     *     return not cat.startswith('C') and (not cat.startswith('Z') or cat == 'Zs')
     * runs, start = [], None
     * for i in range(0xFFFF):
     *     if ok(chr(i)):
     *         if start is None: start = i
     *     elif start is not None:
     *         runs.append((start, i - 1)); start = None
     * body = ''.join(re.escape(chr(a)) if a == b else re.escape(chr(a)) + '-' + re.escape(chr(b))
     *                for a, b in runs)
     * print('# unicode', unicodedata.unidata_version)
     * print(','.join('%04X-%04X' % r for r in runs))
     * print(repr('^[%s]*$' % body))
     * </pre>
     */
    static Rule description() {
        return v -> {
            String m = string(0, 255, true).check(v);
            if (m != null || v.isNull()) {
                return m;
            }
            String text = v.asText();
            String checked = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            if (checked.codePoints().allMatch(c -> c < 0x10000 && DescriptionPattern.PRINTABLE.get(c))) {
                return null;
            }
            return PyRepr.of(v) + " does not match " + DescriptionPattern.REPR;
        };
    }

    /** The data of {@link #description()}, loaded once. */
    private static final class DescriptionPattern {
        static final java.util.BitSet PRINTABLE = new java.util.BitSet(0x10000);
        static final String REPR;

        static {
            try (var in = Schema.class.getResourceAsStream("cinder-description-pattern.txt")) {
                List<String> lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        .lines().filter(l -> !l.startsWith("#")).toList();
                for (String range : lines.get(0).split(",")) {
                    String[] ab = range.split("-");
                    PRINTABLE.set(Integer.parseInt(ab[0], 16), Integer.parseInt(ab[1], 16) + 1);
                }
                REPR = lines.get(1);
            } catch (java.io.IOException | RuntimeException e) {
                throw new IllegalStateException("cinder-description-pattern.txt unreadable", e);
            }
        }
    }

    /**
     * cinder's {@code uuid} (type string, format uuid) or, nullable, {@code uuid_allow_null}, a
     * oneOf of that and null, whose every failure jsonschema reports as "not valid under any of
     * the given schemas".
     */
    static Rule uuid(boolean nullable) {
        return v -> {
            if (nullable) {
                return v.isNull() || v.isTextual() && isUuidLike(v.asText()) ? null
                        : PyRepr.of(v) + " is not valid under any of the given schemas";
            }
            if (!v.isTextual()) {
                return PyRepr.of(v) + " is not of type 'string'";
            }
            return isUuidLike(v.asText()) ? null : PyRepr.of(v) + " is not a 'uuid'";
        };
    }

    /**
     * oslo's uuidutils.is_uuid_like: after dropping "urn:", "uuid:", surrounding braces and
     * dashes, exactly 32 hex digits (so upper case, no dashes and "{...}" forms pass).
     */
    static boolean isUuidLike(String s) {
        String h = s.replace("urn:", "").replace("uuid:", "");
        int start = 0;
        int end = h.length();
        while (start < end && (h.charAt(start) == '{' || h.charAt(start) == '}')) {
            start++;
        }
        while (end > start && (h.charAt(end - 1) == '{' || h.charAt(end - 1) == '}')) {
            end--;
        }
        h = h.substring(start, end).replace("-", "");
        return h.length() == 32 && h.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
                || c >= 'A' && c <= 'F');
    }

    static Rule bool() {
        return v -> {
            if (v.isBoolean() || v.isTextual() && BOOL_STRINGS.contains(v.asText())) {
                return null;
            }
            if (!v.isBoolean() && !v.isTextual()) {
                // type ['boolean', 'string'] is checked before the enum
                return PyRepr.of(v) + " is not of type 'boolean', 'string'";
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

    /**
     * cinder's {@code extra_specs} (metadata): values are checked first (patternProperties, an
     * error there names the key and its value), then keys (additionalProperties, an error names
     * the whole object).
     */
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
                if (!METADATA_KEY.matcher(e.getKey()).find()) {
                    continue;
                }
                JsonNode value = e.getValue();
                if (!value.isTextual()) {
                    fail(e.getKey(), value, PyRepr.of(value) + " is not of type 'string'");
                }
                if (value.asText().codePointCount(0, value.asText().length()) > 255) {
                    fail(e.getKey(), value, PyRepr.of(value) + " is too long");
                }
            }
            List<String> bad = new ArrayList<>();
            it = v.fields();
            while (it.hasNext()) {
                String key = it.next().getKey();
                if (!METADATA_KEY.matcher(key).find()) {
                    bad.add(key);
                }
            }
            if (bad.size() == 1) {
                return PyRepr.str(bad.get(0)) + " does not match any of the regexes: '^[a-zA-Z0-9-_:. /]{1,255}$'";
            }
            if (!bad.isEmpty()) {
                // jsonschema lists several keys sorted, each repr'd, joined by ", ".
                List<String> sorted = bad.stream().sorted().map(PyRepr::str).toList();
                return String.join(", ", sorted) + " do not match any of the regexes: '^[a-zA-Z0-9-_:. /]{1,255}$'";
            }
            return null;
        };
    }

    static Rule object(Schema inner, String name, boolean nullable) {
        return v -> {
            if (v.isNull() && nullable) {
                return null;
            }
            inner.validate(name, v, nullable ? "'object', 'null'" : "'object'");
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

    /**
     * Whether Python's non-strict base64 decoding (which cinder's format checker uses) accepts
     * {@code s}: characters outside the alphabet are skipped, decoding stops at padding that
     * completes a quantum, and an incomplete final quantum is an error.
     */
    static boolean decodesAsBase64(String s) {
        int quad = 0;
        int pads = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (quad >= 2 && quad + ++pads >= 4) {
                    return true;
                }
                continue;
            }
            boolean alphabet = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+'
                    || c == '/';
            if (!alphabet) {
                continue;
            }
            pads = 0;
            quad = (quad + 1) % 4;
        }
        return quad == 0;
    }
}
