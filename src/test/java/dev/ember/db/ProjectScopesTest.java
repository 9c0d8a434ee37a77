package dev.ember.db;

import dev.ember.model.ProjectScope;
import org.jooq.Condition;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static dev.ember.db.generated.Tables.VOLUMES;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A list's {@link ProjectScope} as the repositories query it: every project only for
 * {@link ProjectScope#ALL}, and a caller without a project gets {@code IS NULL} (no project's
 * rows), never every row; {@link ProjectScope#includes} decides a single row the same way.
 */
class ProjectScopesTest {

    static Stream<Arguments> scopes() {
        return Stream.of(
                Arguments.of(ProjectScope.ALL, DSL.noCondition(), new String[]{"p", "q", null}),
                Arguments.of(ProjectScope.of("p"), VOLUMES.PROJECT_ID.eq("p"), new String[]{"p"}),
                Arguments.of(ProjectScope.of(null), VOLUMES.PROJECT_ID.isNull(), new String[]{null}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scopes")
    void conditionAndIncludesAgree(ProjectScope scope, Condition expected, String[] included) {
        assertEquals(expected, ProjectScopes.condition(scope, VOLUMES.PROJECT_ID));
        for (String row : new String[]{"p", "q", null}) {
            assertEquals(Arrays.asList(included).contains(row), scope.includes(row), scope + " includes " + row);
        }
    }
}
