package dev.ember.api;

import dev.ember.error.CinderException;

/**
 * The query parameters the volume, snapshot and attachment lists share ({@code all_tenants},
 * {@code limit}, {@code offset}), parsed once with cinder's messages. Backups have their own,
 * richer {@link BackupListRequest}.
 */
final class ListParams {

    private ListParams() {
    }

    static boolean allTenants(ApiRequest r) {
        String v = r.query().get("all_tenants");
        return "1".equals(v) || "true".equalsIgnoreCase(v);
    }

    static int limit(ApiRequest r, int maxLimit) {
        String v = r.query().get("limit");
        if (v == null) {
            return maxLimit;
        }
        int limit;
        try {
            limit = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw CinderException.badRequest("limit param must be an integer");
        }
        if (limit < 0) {
            throw CinderException.badRequest("limit param must be positive");
        }
        return Math.min(maxLimit, limit);
    }

    static int offset(ApiRequest r) {
        String v = r.query().get("offset");
        if (v == null) {
            return 0;
        }
        int offset;
        try {
            offset = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw CinderException.badRequest("offset param must be an integer");
        }
        if (offset < 0) {
            throw CinderException.badRequest("offset param must be positive");
        }
        return offset;
    }
}
