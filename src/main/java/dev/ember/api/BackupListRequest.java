package dev.ember.api;

import dev.ember.db.BackupQuery;
import dev.ember.db.BackupRepository;
import dev.ember.error.CinderException;
import io.vertx.core.MultiMap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The query string of a backup listing turned into a {@link BackupQuery}, with cinder's rules
 * and messages for limit, marker, offset, sort, all_tenants, with_count and filters.
 *
 * @param withCount whether to add {@code count} (3.45+)
 */
record BackupListRequest(BackupQuery query, boolean withCount, int limit) {

    private static final Set<String> PAGING = Set.of("limit", "marker", "offset", "sort", "sort_key", "sort_dir",
            "with_count", "all_tenants");
    private static final Set<String> USER_FILTERS = Set.of("name", "status", "volume_id");

    static BackupListRequest parse(MultiMap q, Microversion v, dev.ember.auth.RequestContext ctx, int maxLimit) {
        boolean isAdmin = ctx.isAdmin();
        int limit = maxLimit;
        if (q.contains("limit")) {
            limit = parseInt(q.get("limit"), "limit");
            if (limit < 0) {
                throw CinderException.badRequest("limit param must be positive");
            }
            limit = Math.min(limit, maxLimit);
        }
        int offset = 0;
        if (q.contains("offset")) {
            offset = parseInt(q.get("offset"), "offset");
            if (offset < 0) {
                throw CinderException.badRequest("offset param must be positive");
            }
        }
        String marker = q.get("marker");
        List<BackupQuery.SortKey> sort = sortKeys(q, v);

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
        Map<String, String> filters = new LinkedHashMap<>();
        for (String key : q.names()) {
            if (key.equals("with_count") && v.atLeast(3, 45)) {
                Boolean b = parseBool(q.get(key));
                if (b == null) {
                    throw CinderException.badRequest("with_count must be a boolean, got '" + q.get(key) + "'.");
                }
                withCount = b;
                continue;
            }
            if (PAGING.contains(key) && !key.equals("with_count")) {
                continue;
            }
            filters.put(key, q.get(key));
        }
        if (!isAdmin) {
            if (v.atLeast(3, 31)) {
                List<String> bad = filters.keySet().stream().filter(k -> !USER_FILTERS.contains(k)).toList();
                if (!bad.isEmpty()) {
                    throw CinderException.badRequest("Invalid filters " + String.join(", ", bad)
                            + " are found in query options.");
                }
            } else {
                filters.keySet().retainAll(USER_FILTERS);
            }
        }
        Map<String, String> columns = new LinkedHashMap<>();
        filters.forEach((k, val) -> columns.put(k.equals("name") ? "display_name" : k, val));
        BackupQuery bq = new BackupQuery(ctx.listScope(allTenants), columns, sort, limit, marker, offset);
        return new BackupListRequest(bq, withCount, limit);
    }

    private static List<BackupQuery.SortKey> sortKeys(MultiMap q, Microversion v) {
        boolean legacy = q.contains("sort_key") || q.contains("sort_dir");
        List<String[]> pairs = new ArrayList<>();
        if (q.contains("sort")) {
            if (legacy) {
                throw CinderException.badRequest("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot "
                        + "be used with the 'sort' parameter.");
            }
            for (String item : q.get("sort").split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                String[] kd = item.strip().split(":", 2);
                pairs.add(new String[]{kd[0].strip(), kd.length > 1 ? kd[1].strip() : "desc"});
            }
        } else if (legacy) {
            pairs.add(new String[]{q.get("sort_key") == null ? "created_at" : q.get("sort_key").strip(),
                    q.get("sort_dir") == null ? "desc" : q.get("sort_dir").strip()});
        }
        if (pairs.isEmpty()) {
            pairs.add(new String[]{"created_at", "desc"});
        }
        List<BackupQuery.SortKey> out = new ArrayList<>();
        for (String[] p : pairs) {
            String key = p[0];
            if (key.equals("name") && v.atLeast(3, 37)) {
                key = "display_name";
            }
            String dir = p[1].toLowerCase(Locale.ROOT);
            if (!dir.equals("asc") && !dir.equals("desc")) {
                throw CinderException.invalidInput("Unknown sort direction, must be 'desc' or 'asc'");
            }
            if (!BackupRepository.isColumn(key)) {
                throw CinderException.invalidInput("Invalid sort key");
            }
            out.add(new BackupQuery.SortKey(key, dir.equals("asc")));
        }
        return out;
    }

    private static int parseInt(String s, String name) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            // Larger than an int but numeric: as good as "no limit"; negative huge: invalid.
            if (s.strip().matches("\\d+")) {
                return Integer.MAX_VALUE;
            }
            if (s.strip().matches("-\\d+")) {
                return -1;
            }
            throw CinderException.badRequest(name + " param must be an integer");
        }
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
