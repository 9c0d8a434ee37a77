package dev.ember.db;

import dev.ember.model.ProjectScope;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

/** A {@link ProjectScope} as a condition on a table's project column. */
final class ProjectScopes {

    private ProjectScopes() {
    }

    /** No condition for every project; {@code IS NULL} for a caller without a project (matching no project's rows). */
    static Condition condition(ProjectScope scope, Field<String> projectColumn) {
        if (scope.all()) {
            return DSL.noCondition();
        }
        return scope.projectId() == null ? projectColumn.isNull() : projectColumn.eq(scope.projectId());
    }
}
