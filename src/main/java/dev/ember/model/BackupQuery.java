package dev.ember.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated list request against {@code backups}, which the API builds from the query string
 * and the repository turns into SQL: filter columns are real column names by now (the API
 * translated {@code name} to {@code display_name}).
 *
 * @param scope     the projects whose backups are listed
 * @param filters   column → value, ANDed; a column name ending in "~" is a LIKE '%value%' match
 * @param sort      at least one key; the repository appends {@code id} as a tiebreaker
 * @param limit     page size
 * @param markerId  id of the last row of the previous page, or null
 * @param offset    rows to skip after the marker
 */
public record BackupQuery(ProjectScope scope, Map<String, String> filters, List<SortKey> sort, int limit,
                          String markerId, int offset) {

    public BackupQuery {
        filters = Collections.unmodifiableMap(new LinkedHashMap<>(filters));
        sort = List.copyOf(sort);
    }

    public record SortKey(String column, boolean ascending) {
    }
}
