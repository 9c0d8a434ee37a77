package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;
import dev.ember.volume.QuotaService;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * cinder's quota APIs: {@code os-quota-sets} (cinder/api/contrib/quotas.py),
 * {@code os-quota-class-sets} (quota_classes.py) and {@code /limits} (cinder/api/v3/limits.py with
 * the used_limits extension and cinder/api/views/limits.py).
 */
final class QuotaSetsController {

    private static final Set<String> NON_QUOTA_KEYS = Set.of("tenant_id", "id");
    private static final Pattern CLASS_KEY = Pattern.compile("^[a-zA-Z0-9-_:. ]{1,255}$", Pattern.UNIX_LINES);
    private static final Pattern DIGITS = Pattern.compile("^[0-9]*$", Pattern.UNIX_LINES);
    private static final Set<String> TRUE = Set.of("1", "t", "true", "on", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "f", "false", "off", "n", "no");

    private final QuotaService quotas;

    QuotaSetsController(QuotaService quotas) {
        this.quotas = quotas;
    }

    // ------------------------------------------------------------------ os-quota-sets

    ApiResponse show(ApiRequest r) {
        String target = r.param("id");
        boolean usage = false;
        if (r.query().contains("usage")) {
            usage = boolParam("usage", r.query().get("usage"));
        }
        Map<String, QuotaService.Entry> q = quotas.show(r.context(), target);
        JsonObject set = new JsonObject();
        boolean withUsage = usage;
        q.forEach((k, e) -> set.put(k, withUsage
                ? new JsonObject().put("limit", e.limit()).put("in_use", e.inUse()).put("reserved", e.reserved())
                : e.limit()));
        set.put("id", target);
        return ApiResponse.json(200, new JsonObject().put("quota_set", set));
    }

    ApiResponse defaults(ApiRequest r) {
        String target = r.param("id");
        JsonObject set = new JsonObject();
        quotas.defaults(r.context(), target).forEach(set::put);
        set.put("id", target);
        return ApiResponse.json(200, new JsonObject().put("quota_set", set));
    }

    /** cinder/api/schemas/quotas.py {@code update_quota} with the {@code quota_set} format checker. */
    ApiResponse update(ApiRequest r) {
        JsonNode body = r.body();
        Map<String, Integer> values = new LinkedHashMap<>();
        Set<String> text = new java.util.HashSet<>();
        new Schema().prop("quota_set", v -> {
            if (!v.isObject()) {
                return PyRepr.of(v) + " is not of type 'object'";
            }
            if (v.size() < 1) {
                return PyRepr.of(v) + " does not have enough properties";
            }
            values.putAll(quotaSetFormat(v));
            v.fields().forEachRemaining(e -> {
                if (e.getValue().isTextual()) {
                    text.add(e.getKey());
                }
            });
            return null;
        }).required("quota_set").validate(null, body);
        Map<String, Integer> after = quotas.update(r.context(), r.param("id"), values, text);
        JsonObject set = new JsonObject();
        after.forEach(set::put);
        return ApiResponse.json(200, new JsonObject().put("quota_set", set));
    }

    ApiResponse delete(ApiRequest r) {
        quotas.delete(r.context(), r.param("id"));
        return ApiResponse.empty(200);
    }

    /**
     * cinder's {@code quota_set} format: unknown keys are collected and refused together after
     * every known key's value passed oslo's validate_integer (-1 to MAX_INT), which refuses the
     * first bad value at once.
     */
    private Map<String, Integer> quotaSetFormat(JsonNode set) {
        List<String> resources = quotas.resourceNames();
        List<String> bad = new ArrayList<>();
        Map<String, Integer> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = set.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (!resources.contains(key) && !NON_QUOTA_KEYS.contains(key)) {
                bad.add(key);
                continue;
            }
            if (NON_QUOTA_KEYS.contains(key)) {
                continue;
            }
            out.put(key, validateInteger(e.getValue(), key, -1, QuotaService.MAX_INT));
        }
        if (!bad.isEmpty()) {
            throw CinderException.invalidInput("Bad key(s) in quota set: " + String.join(", ", bad));
        }
        return out;
    }

    /** oslo_utils.strutils.validate_integer: {@code int(str(value))}, then the range. */
    static int validateInteger(JsonNode value, String name, int min, int max) {
        BigInteger v = pythonInt(value);
        if (v == null) {
            throw CinderException.badRequest(name + " must be an integer");
        }
        if (v.compareTo(BigInteger.valueOf(min)) < 0) {
            throw CinderException.badRequest(name + " must be >= " + min);
        }
        if (v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw CinderException.badRequest(name + " must be <= " + max);
        }
        return v.intValue();
    }

    /** Python's {@code int(str(value))} for a JSON value, or null where it raises ValueError. */
    private static BigInteger pythonInt(JsonNode value) {
        String s;
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue();
        } else if (value.isTextual()) {
            s = value.asText().strip();
        } else {
            // bool (True/False), float (5.0), None, lists and dicts: str() is no integer literal.
            return null;
        }
        if (!s.matches("[+-]?[0-9](_?[0-9])*")) {
            return null;
        }
        return new BigInteger(s.replace("_", ""));
    }

    // ------------------------------------------------------------------ os-quota-class-sets

    ApiResponse showClass(ApiRequest r) {
        String cls = r.param("id");
        JsonObject set = new JsonObject();
        quotas.showClass(r.context(), cls).forEach(set::put);
        set.put("id", cls);
        return ApiResponse.json(200, new JsonObject().put("quota_class_set", set));
    }

    /** cinder/api/schemas/quota_classes.py {@code update_quota_class} and its quota_class_set format. */
    ApiResponse updateClass(ApiRequest r) {
        JsonNode body = r.body();
        Map<String, Integer> values = new LinkedHashMap<>();
        new Schema().prop("type", Schema.any()).prop("quota_class_set", v -> {
            if (!v.isObject()) {
                return PyRepr.of(v) + " is not of type 'object'";
            }
            values.putAll(quotaClassSetFormat(v));
            return null;
        }).required("quota_class_set").validate(null, body);
        JsonObject set = new JsonObject();
        quotas.updateClass(r.context(), r.param("id"), values).forEach(set::put);
        return ApiResponse.json(200, new JsonObject().put("quota_class_set", set));
    }

    private Map<String, Integer> quotaClassSetFormat(JsonNode set) {
        List<String> resources = quotas.resourceNames();
        List<String> bad = new ArrayList<>();
        set.fieldNames().forEachRemaining(k -> {
            if (!resources.contains(k)) {
                bad.add(k);
            }
        });
        if (!bad.isEmpty()) {
            throw CinderException.invalidInput("Bad key(s) in quota class set: " + String.join(", ", bad));
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = set.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            String key = e.getKey();
            if (!CLASS_KEY.matcher(key).find()) {
                // additionalProperties: False; unreachable for a known resource name
                Schema.fail(null, set, "Additional properties are not allowed (" + PyRepr.str(key) + " was unexpected)");
            }
            if (!(v.isIntegralNumber() || v.isTextual())) {
                Schema.fail(key, v, PyRepr.of(v) + " is not of type 'integer', 'string'");
            }
            if (v.isTextual() && !DIGITS.matcher(v.asText()).find()) {
                Schema.fail(key, v, PyRepr.of(v) + " does not match '^[0-9]*$'");
            }
            BigInteger n = v.isIntegralNumber() ? v.bigIntegerValue()
                    : v.asText().isEmpty() ? null : new BigInteger(v.asText());
            if (n != null && n.compareTo(BigInteger.valueOf(-1)) < 0) {
                Schema.fail(key, v, PyRepr.of(v) + " is less than the minimum of -1");
            }
            if (v.isTextual() && v.asText().isEmpty()) {
                Schema.fail(key, v, PyRepr.of(v) + " is too short");
            }
            if (n != null && n.compareTo(BigInteger.valueOf(QuotaService.MAX_INT)) > 0) {
                Schema.fail(key, v, PyRepr.of(v) + " is greater than the maximum of " + QuotaService.MAX_INT);
            }
            out.put(key, n.intValue());
        }
        return out;
    }

    // ------------------------------------------------------------------ limits

    /**
     * GET /limits: the absolute limits (and, when {@code limits_extension:used_limits} passes,
     * the usage) of the caller's project, or from 3.39 an admin's {@code project_id} parameter.
     */
    ApiResponse limits(ApiRequest r) {
        String project = r.projectId();
        if (r.version().atLeast(3, 39) && r.context().isAdmin()) {
            String p = r.query().get("project_id") != null ? r.query().get("project_id") : r.query().get("tenant_id");
            if (p != null) {
                project = p;
            }
        }
        Map<String, QuotaService.Entry> q = quotas.limits(r.context(), project);
        JsonObject absolute = new JsonObject();
        Map<String, String> maxNames = Map.of("gigabytes", "maxTotalVolumeGigabytes",
                "backup_gigabytes", "maxTotalBackupGigabytes", "volumes", "maxTotalVolumes",
                "snapshots", "maxTotalSnapshots", "backups", "maxTotalBackups");
        q.forEach((k, e) -> {
            if (maxNames.containsKey(k)) {
                absolute.put(maxNames.get(k), e.limit());
            }
        });
        if (quotas.showsUsedLimits(r.context())) {
            Map<String, String> usedNames = new LinkedHashMap<>();
            usedNames.put("totalVolumesUsed", "volumes");
            usedNames.put("totalGigabytesUsed", "gigabytes");
            usedNames.put("totalSnapshotsUsed", "snapshots");
            usedNames.put("totalBackupsUsed", "backups");
            usedNames.put("totalBackupGigabytesUsed", "backup_gigabytes");
            usedNames.forEach((display, res) -> {
                if (q.containsKey(res)) {
                    absolute.put(display, q.get(res).inUse());
                }
            });
        }
        return ApiResponse.json(200, new JsonObject().put("limits",
                new JsonObject().put("rate", new io.vertx.core.json.JsonArray()).put("absolute", absolute)));
    }

    /** cinder's utils.get_bool_param: oslo's strict boolean strings, else InvalidParameterValue. */
    static boolean boolParam(String name, String value) {
        String v = value == null ? "" : value.toLowerCase(Locale.ROOT);
        if (TRUE.contains(v)) {
            return true;
        }
        if (FALSE.contains(v)) {
            return false;
        }
        throw CinderException.badRequest("Value '" + value + "' for '" + name + "' is not a boolean.");
    }
}
