package dev.ember.api;

import dev.ember.error.CinderException;
import dev.ember.model.BackupQuery;
import io.vertx.core.MultiMap;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The query string of a backup listing turned into a {@link BackupQuery}, with cinder's rules
 * and messages for limit, marker, offset, sort, all_tenants, with_count and filters.
 *
 * @param withCount whether to add {@code count} (3.45+)
 */
record BackupListRequest(BackupQuery query, boolean withCount) {

    private static final Set<String> PAGING = Set.of("limit", "marker", "offset", "sort", "sort_key", "sort_dir",
            "with_count", "all_tenants");
    private static final Set<String> USER_FILTERS = Set.of("name", "status", "volume_id");
    /**
     * cinder's ATTRIBUTE_CONVERTERS for backups: the LIKE forms of the renamed columns. A filter
     * key ending in "~" is a LIKE '%value%' match on the column without the "~" (db api's
     * apply_like_filters), see {@link BackupQuery#filters()}.
     */
    private static final Map<String, String> LIKE_CONVERTERS = Map.of("name~", "display_name~",
            "description~", "display_description~");

    /** @param sortable whether a sort key names a column of backups (the database knows its columns) */
    static BackupListRequest parse(MultiMap q, Microversion v, dev.ember.auth.RequestContext ctx, int maxLimit,
                                   Predicate<String> sortable) {
        boolean isAdmin = ctx.isAdmin();
        int limit = maxLimit;
        if (q.contains("limit")) {
            BigInteger l = pythonInt(q.get("limit"));
            if (l == null) {
                throw CinderException.badRequest("limit param must be an integer");
            }
            if (l.signum() < 0) {
                throw CinderException.badRequest("limit param must be positive");
            }
            limit = l.min(BigInteger.valueOf(maxLimit)).intValue();
        }
        int offset = 0;
        if (q.contains("offset")) {
            // cinder checks the offset with oslo's strutils.validate_integer(0, DB_MAX_INT).
            BigInteger o = pythonInt(q.get("offset"));
            if (o == null) {
                throw CinderException.badRequest("offset must be an integer");
            }
            if (o.signum() < 0) {
                throw CinderException.badRequest("offset must be >= 0");
            }
            if (o.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
                throw CinderException.badRequest("offset must be <= " + Integer.MAX_VALUE);
            }
            offset = o.intValue();
        }
        String marker = q.get("marker");
        List<BackupQuery.SortKey> sort = sortKeys(q, v, sortable);

        boolean allTenants = false;
        if (q.contains("all_tenants")) {
            String at = q.get("all_tenants");
            Boolean b = parseBool(at);
            if (b == null) {
                throw CinderException.badRequest("all_tenants must be a boolean, got '" + at + "'.");
            }
            allTenants = b;
        }
        boolean withCount = false;
        boolean countable = v.atLeast(3, 45) && q.contains("with_count");
        if (countable) {
            // cinder's utils.get_bool_param reads the last value (webob MultiDict.get)
            List<String> all = q.getAll("with_count");
            String last = all.get(all.size() - 1);
            Boolean b = parseBool(last);
            if (b == null) {
                throw CinderException.badRequest("Value '" + last + "' for 'with_count' is not a boolean.");
            }
            withCount = b;
        }
        // cinder pops one occurrence (the first) of each paging parameter from the request's
        // MultiDict; a repeated one stays behind as a filter (no such column: nothing matches,
        // or an invalid filter for users). Filters take the last value of a repeated key.
        Set<String> consumed = new java.util.HashSet<>();
        Map<String, String> filters = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : q.entries()) {
            String key = e.getKey();
            boolean paging = PAGING.contains(key) && (!key.equals("with_count") || countable);
            if (paging && consumed.add(key)) {
                continue;
            }
            filters.put(key, e.getValue());
        }
        if (v.atLeast(3, 31) && filters.keySet().stream().anyMatch(k -> !k.chars().allMatch(c -> c < 0x80))) {
            // common.reject_invalid_filters checks this for every caller, admins included.
            throw CinderException.badRequest("Filter keys can only contain ASCII characters.");
        }
        if (!isAdmin) {
            if (v.atLeast(3, 31)) {
                // Only the keys of cinder's default resource_filters.json ("backup": name, status,
                // volume_id). It lists no "key~" form, so a user's LIKE filter ("name~") is refused
                // like any unknown key; admins (and noauth callers, who are admins) may use it.
                List<String> bad = filters.keySet().stream().filter(k -> !USER_FILTERS.contains(k)).toList();
                if (!bad.isEmpty()) {
                    throw CinderException.badRequest("Invalid filters " + String.join(",", bad)
                            + " are found in query options.");
                }
            } else {
                filters.keySet().retainAll(USER_FILTERS);
            }
        }
        Map<String, String> columns = new LinkedHashMap<>();
        filters.forEach((k, val) -> {
            String column = k;
            if (k.equals("name")) {
                column = "display_name";
            } else if (v.atLeast(3, 31) && LIKE_CONVERTERS.containsKey(k)) {
                // common.convert_filter_attributes, applied with the 3.31 generic filtering
                column = LIKE_CONVERTERS.get(k);
            }
            columns.put(column, val);
        });
        BackupQuery bq = new BackupQuery(ctx.listScope(allTenants), columns, sort, limit, marker, offset);
        return new BackupListRequest(bq, withCount);
    }

    /**
     * cinder's common.get_sort_params and the db layer's checks: "sort" is split on commas, each
     * item at its first colon (a missing or blank direction is the default); every direction
     * must be exactly "asc" or "desc" (checked for all items before any key), then every key
     * must be a column ("name" stands for display_name from 3.37).
     */
    private static List<BackupQuery.SortKey> sortKeys(MultiMap q, Microversion v, Predicate<String> sortable) {
        boolean legacy = q.contains("sort_key") || q.contains("sort_dir");
        List<String[]> pairs = new ArrayList<>();
        if (q.contains("sort")) {
            if (legacy) {
                throw CinderException.badRequest("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot "
                        + "be used with the 'sort' parameter.");
            }
            for (String item : q.get("sort").strip().split(",", -1)) {
                int colon = item.indexOf(':');
                String key = colon < 0 ? item : item.substring(0, colon);
                String dir = colon < 0 || colon == item.length() - 1 ? "desc" : item.substring(colon + 1);
                pairs.add(new String[]{key.strip(), dir.strip()});
            }
        } else {
            pairs.add(new String[]{q.get("sort_key") == null ? "created_at" : q.get("sort_key").strip(),
                    q.get("sort_dir") == null ? "desc" : q.get("sort_dir").strip()});
        }
        for (String[] p : pairs) {
            if (!p[1].isEmpty() && !p[1].equals("asc") && !p[1].equals("desc")) {
                throw CinderException.invalidInput("Unknown sort direction, must be 'desc' or 'asc'.");
            }
        }
        List<BackupQuery.SortKey> out = new ArrayList<>();
        for (String[] p : pairs) {
            String key = p[0];
            if (key.equals("name") && v.atLeast(3, 37)) {
                key = "display_name";
            }
            if (!sortable.test(key)) {
                throw CinderException.invalidInput("Invalid sort key");
            }
            out.add(new BackupQuery.SortKey(key, p[1].equals("asc")));
        }
        return out;
    }

    /**
     * Python's int() of a query value: surrounding whitespace, an optional sign, ASCII digits
     * with single underscores between them; null when it is not one.
     */
    static BigInteger pythonInt(String s) {
        String t = s.strip();
        if (!t.matches("[+-]?[0-9](_?[0-9])*")) {
            return null;
        }
        return new BigInteger(t.replace("_", "").replace("+", ""));
    }

    /** oslo's strutils.bool_from_string(strict=True). */
    static Boolean parseBool(String s) {
        if (s == null) {
            return null;
        }
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "1", "t", "true", "on", "y", "yes" -> true;
            case "0", "f", "false", "off", "n", "no" -> false;
            default -> null;
        };
    }
}
