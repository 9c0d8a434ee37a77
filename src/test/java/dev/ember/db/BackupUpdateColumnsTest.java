package dev.ember.db;

import dev.ember.model.BackupUpdate;
import org.jooq.Field;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static dev.ember.db.generated.Tables.BACKUPS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How {@code PUT /backups/{id}}'s typed update becomes columns of {@code backups}: only the
 * attributes the request named, cinder's name and description as its display_ columns, a null
 * as a NULL (clearing), and metadata as no column at all (it lives in backup_metadata).
 */
class BackupUpdateColumnsTest {

    static Stream<Arguments> updates() {
        return Stream.of(
                Arguments.of("nothing", BackupUpdate.NONE, columns()),
                Arguments.of("name", BackupUpdate.NONE.withName("n"), columns(BACKUPS.DISPLAY_NAME, "n")),
                Arguments.of("name cleared", BackupUpdate.NONE.withName(null), columns(BACKUPS.DISPLAY_NAME, null)),
                Arguments.of("description", BackupUpdate.NONE.withDescription("d"),
                        columns(BACKUPS.DISPLAY_DESCRIPTION, "d")),
                Arguments.of("description cleared", BackupUpdate.NONE.withDescription(null),
                        columns(BACKUPS.DISPLAY_DESCRIPTION, null)),
                Arguments.of("both", BackupUpdate.NONE.withName("n").withDescription("d"),
                        columns(BACKUPS.DISPLAY_NAME, "n", BACKUPS.DISPLAY_DESCRIPTION, "d")),
                Arguments.of("metadata only", BackupUpdate.NONE.withMetadata(Map.of("k", "v")), columns()),
                Arguments.of("name and metadata", BackupUpdate.NONE.withName("n").withMetadata(Map.of()),
                        columns(BACKUPS.DISPLAY_NAME, "n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updates")
    void setsOnlyTheNamedColumns(String what, BackupUpdate update, Map<Field<?>, Object> expected) {
        assertEquals(expected, BackupRepository.columnsOf(update));
    }

    /** Pairs of field and value; a HashMap, since a cleared column's value is null. */
    private static Map<Field<?>, Object> columns(Object... pairs) {
        Map<Field<?>, Object> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Field<?>) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
