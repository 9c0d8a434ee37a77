package dev.ember.db;

import dev.ember.model.BackupLifecycle;
import dev.ember.model.BackupStatus;
import dev.ember.model.VolumeLifecycle;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.ember.db.generated.Tables.BACKUPS;
import static dev.ember.db.generated.Tables.SNAPSHOTS;
import static dev.ember.db.generated.Tables.VOLUMES;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The repositories refuse free status writes and transitions from a status the table forbids,
 * before any SQL runs (so these need no database: the DSLContext is null and never touched).
 */
class StatusWriteGuardTest {

    @Test
    void updateRefusesStatusColumns() {
        assertThrows(IllegalArgumentException.class,
                () -> new BackupRepository().update(null, "b", Map.of(BACKUPS.STATUS, "available")));
        assertThrows(IllegalArgumentException.class,
                () -> new VolumeRepository().update(null, "v", Map.of(VOLUMES.STATUS, "available")));
        assertThrows(IllegalArgumentException.class,
                () -> new VolumeRepository().update(null, "v", Map.of(VOLUMES.PREVIOUS_STATUS, "available")));
        assertThrows(IllegalArgumentException.class,
                () -> new SnapshotRepository().update(null, "s", Map.of(SNAPSHOTS.STATUS, "available")));
    }

    @Test
    void aTransitionFromAForbiddenExpectedStatusDoesNotMove() {
        assertFalse(new BackupRepository().apply(null, BackupLifecycle.RESTORE_REQUESTED, "b", BackupStatus.ERROR,
                Map.of()));
        assertFalse(new BackupRepository().apply(null, BackupLifecycle.DELETE_NOT_DELETING, "b", BackupStatus.DELETING,
                Map.of()));
        assertFalse(new VolumeRepository().apply(null, BackupLifecycle.VOLUME_BACKING_UP, "v", "restoring-backup",
                Map.of()));
        assertFalse(new VolumeRepository().apply(null, VolumeLifecycle.ATTACH_RESERVED, "v", "not-a-status", Map.of()));
    }

    @Test
    void rowsThatDoNotMoveABackupAreRefusedByTheBackupRepository() {
        assertThrows(IllegalArgumentException.class,
                () -> new BackupRepository().apply(null, BackupLifecycle.CREATE_REQUESTED, "b", null, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new BackupRepository().apply(null, BackupLifecycle.RESTORE_CANCELLED, "b", null, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new BackupRepository().apply(null, BackupLifecycle.RESET_STATUS, "b", null, Map.of()));
    }
}
