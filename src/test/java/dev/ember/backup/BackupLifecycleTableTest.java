package dev.ember.backup;

import dev.ember.model.QuotaResources;
import dev.ember.model.BackupStatus;

import dev.ember.model.BackupLifecycle;

import dev.ember.model.BackupLifecycle.Quota;
import dev.ember.model.BackupLifecycle.Transition;
import dev.ember.model.SnapshotStatus;
import dev.ember.model.VolumeStatus;
import dev.ember.model.VolumeTransition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static dev.ember.model.BackupStatus.AVAILABLE;
import static dev.ember.model.BackupStatus.CREATING;
import static dev.ember.model.BackupStatus.DELETED;
import static dev.ember.model.BackupStatus.DELETING;
import static dev.ember.model.BackupStatus.ERROR;
import static dev.ember.model.BackupStatus.ERROR_DELETING;
import static dev.ember.model.BackupStatus.RESTORING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backup lifecycle table against cinder's rules (Zed, cinder/backup/api.py, manager.py,
 * scheduler/manager.py), without a database: each row's allowed and forbidden backup statuses,
 * its target, and what it does to the volume, the snapshot and the quota.
 */
class BackupLifecycleTableTest {

    /** Row, the backup statuses it may start from (all others are refused), the status it sets. */
    static Stream<Arguments> rows() {
        Set<BackupStatus> any = EnumSet.allOf(BackupStatus.class);
        return Stream.of(
                Arguments.of(BackupLifecycle.CREATE_REQUESTED, Set.of(), CREATING),
                Arguments.of(BackupLifecycle.CREATE_UNSCHEDULED, Set.of(CREATING), ERROR),
                Arguments.of(BackupLifecycle.CREATE_FINISHED, Set.of(CREATING), AVAILABLE),
                Arguments.of(BackupLifecycle.CREATE_FAILED, Set.of(CREATING), ERROR),
                Arguments.of(BackupLifecycle.RESTORE_REQUESTED, Set.of(AVAILABLE), RESTORING),
                Arguments.of(BackupLifecycle.RESTORE_FINISHED, Set.of(RESTORING), AVAILABLE),
                Arguments.of(BackupLifecycle.RESTORE_FAILED, Set.of(RESTORING), AVAILABLE),
                Arguments.of(BackupLifecycle.RESTORE_TARGET_NOT_RESTORING, Set.of(RESTORING), AVAILABLE),
                Arguments.of(BackupLifecycle.RESTORE_FOREIGN_BACKUP, Set.of(RESTORING), AVAILABLE),
                Arguments.of(BackupLifecycle.RESTORE_CANCELLED, Set.of(), null),
                Arguments.of(BackupLifecycle.RESTORE_INTERRUPTED, Set.of(RESTORING), AVAILABLE),
                Arguments.of(BackupLifecycle.DELETE_REQUESTED, Set.of(AVAILABLE, ERROR), DELETING),
                Arguments.of(BackupLifecycle.FORCE_DELETE_REQUESTED, any, DELETING),
                Arguments.of(BackupLifecycle.DELETE_NOT_DELETING,
                        Set.of(CREATING, AVAILABLE, DELETED, RESTORING, ERROR, ERROR_DELETING), ERROR),
                Arguments.of(BackupLifecycle.DELETE_FOREIGN_BACKUP, Set.of(DELETING), ERROR),
                Arguments.of(BackupLifecycle.DELETE_FAILED, Set.of(DELETING), ERROR),
                Arguments.of(BackupLifecycle.DELETE_ABORTED_TO_AVAILABLE, Set.of(DELETING), AVAILABLE),
                Arguments.of(BackupLifecycle.DELETE_ABORTED_TO_ERROR, Set.of(DELETING), ERROR),
                Arguments.of(BackupLifecycle.DELETE_FINISHED, any, DELETED),
                Arguments.of(BackupLifecycle.RESET_STATUS, any, null),
                Arguments.of(BackupLifecycle.IMPORT_REQUESTED, Set.of(), CREATING),
                Arguments.of(BackupLifecycle.IMPORT_FINISHED, Set.of(CREATING), AVAILABLE),
                Arguments.of(BackupLifecycle.IMPORT_FAILED, Set.of(CREATING), ERROR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void allowsExactlyItsFromStatuses(Transition t, Set<BackupStatus> allowed, BackupStatus to) {
        for (BackupStatus s : BackupStatus.values()) {
            assertEquals(allowed.contains(s), t.allows(s), t.name() + " from " + s);
        }
        assertEquals(to, t.to(), t.name());
    }

    @Test
    void theTableListsEveryRowOnceAndTheTestCoversIt() {
        List<Transition> all = BackupLifecycle.all();
        assertEquals(all.size(), new HashSet<>(all.stream().map(Transition::name).toList()).size());
        assertEquals(rows().map(a -> ((Transition) a.get()[0]).name()).toList(),
                all.stream().map(Transition::name).toList());
    }

    // ---------------------------------------------------------------- create (api.py create, manager.py)

    @Test
    void createRequestedPutsTheVolumeOrSnapshotInBackingUpAndReservesQuota() {
        Transition t = BackupLifecycle.CREATE_REQUESTED;
        assertTrue(t.createsRow());
        assertFalse(t.movesBackup());
        // api.py: volume must be available or in-use; it gets backing-up, previous_status its status.
        assertEquals(Optional.of(new VolumeTransition.Change("backing-up", true, "in-use")),
                t.volume().resolve("in-use", null));
        assertEquals(Optional.of(new VolumeTransition.Change("backing-up", true, "available")),
                t.volume().resolve("available", "whatever"));
        for (String refused : List.of("creating", "error", "backing-up", "restoring-backup", "maintenance")) {
            assertEquals(Optional.empty(), t.volume().resolve(refused, null), refused);
        }
        // api.py: a snapshot must be available; it gets backing-up.
        assertTrue(t.snapshot().allows("available"));
        assertFalse(t.snapshot().allows("backing-up"));
        assertEquals(SnapshotStatus.BACKING_UP, t.snapshot().to());
        assertEquals(Map.of(QuotaResources.BACKUPS, 1, QuotaResources.BACKUP_GIGABYTES, 5),
                t.quota().deltas(5));
        assertFalse(t.refreshesParent());
    }

    @Test
    void createFinishedReturnsTheVolumeWithPreviousStatusBackingUpAndCountsTheChild() {
        Transition t = BackupLifecycle.CREATE_FINISHED;
        // manager.py _finish_backup: {status: previous_status, previous_status: 'backing-up'}.
        assertEquals(Optional.of(new VolumeTransition.Change("in-use", true, "backing-up")),
                t.volume().resolve("backing-up", "in-use"));
        // Ember: a volume without previous_status goes back to available.
        assertEquals(Optional.of(new VolumeTransition.Change("available", true, "backing-up")),
                t.volume().resolve("backing-up", null));
        assertEquals(Optional.empty(), t.volume().resolve("available", "in-use"));
        assertEquals(SnapshotStatus.AVAILABLE, t.snapshot().to());
        assertTrue(t.snapshot().allows("backing-up"));
        assertEquals(Quota.NONE, t.quota());
        assertTrue(t.refreshesParent());
    }

    @Test
    void createFailedMarksPreviousStatusErrorBackingUpAndKeepsQuota() {
        Transition t = BackupLifecycle.CREATE_FAILED;
        // manager.py: {status: previous_status, previous_status: 'error_backing-up'}; quota not released.
        assertEquals(Optional.of(new VolumeTransition.Change("available", true, "error_backing-up")),
                t.volume().resolve("backing-up", "available"));
        assertEquals(SnapshotStatus.AVAILABLE, t.snapshot().to());
        assertEquals(Quota.NONE, t.quota());
        assertEquals(Map.of(), t.quota().deltas(3));
        assertFalse(t.refreshesParent());
    }

    @Test
    void unscheduledCreateSwapsStatusAndPreviousStatusAsCinderScheduler() {
        // scheduler/manager.py: {status: previous_status, previous_status: status (= backing-up)}.
        assertEquals(Optional.of(new VolumeTransition.Change("in-use", true, "backing-up")),
                BackupLifecycle.CREATE_UNSCHEDULED.volume().resolve("backing-up", "in-use"));
        assertEquals(ERROR, BackupLifecycle.CREATE_UNSCHEDULED.to());
    }

    // ---------------------------------------------------------------- restore

    @Test
    void restoreRowsMoveTheTargetVolumeAsCinderManager() {
        // api.py restore: volume must be available, gets restoring-backup.
        assertEquals(Optional.of(new VolumeTransition.Change("restoring-backup", false, null)),
                BackupLifecycle.RESTORE_REQUESTED.volume().resolve("available", null));
        assertEquals(Optional.empty(), BackupLifecycle.RESTORE_REQUESTED.volume().resolve("in-use", null));
        // manager.py restore_backup: restoring-backup or creating (create-from-backup) → available.
        for (String from : List.of("restoring-backup", "creating")) {
            assertEquals("available", BackupLifecycle.RESTORE_FINISHED.volume().resolve(from, null).orElseThrow().status());
            assertEquals("error_restoring", BackupLifecycle.RESTORE_FAILED.volume().resolve(from, null).orElseThrow().status());
            assertEquals("error", BackupLifecycle.RESTORE_FOREIGN_BACKUP.volume().resolve(from, null).orElseThrow().status());
            assertEquals("error", BackupLifecycle.RESTORE_CANCELLED.volume().resolve(from, null).orElseThrow().status());
            assertFalse(BackupLifecycle.RESTORE_TARGET_NOT_RESTORING.volume().allows(from), from);
        }
        assertEquals("error_restoring",
                BackupLifecycle.RESTORE_TARGET_NOT_RESTORING.volume().resolve("available", null).orElseThrow().status());
        // _cleanup_one_volume: only restoring-backup → error_restoring.
        assertTrue(BackupLifecycle.RESTORE_INTERRUPTED.volume().allows("restoring-backup"));
        assertFalse(BackupLifecycle.RESTORE_INTERRUPTED.volume().allows("creating"));
        // No restore row touches a snapshot or the quota.
        for (Transition t : List.of(BackupLifecycle.RESTORE_REQUESTED, BackupLifecycle.RESTORE_FINISHED,
                BackupLifecycle.RESTORE_FAILED, BackupLifecycle.RESTORE_TARGET_NOT_RESTORING,
                BackupLifecycle.RESTORE_FOREIGN_BACKUP, BackupLifecycle.RESTORE_CANCELLED,
                BackupLifecycle.RESTORE_INTERRUPTED)) {
            assertNull(t.snapshot(), t.name());
            assertEquals(Quota.NONE, t.quota(), t.name());
            assertFalse(t.volume().previous().stash() || t.volume().previous().value() != null, t.name());
        }
        // The cancel leaves the backup alone: its status change away from restoring was the cancel.
        assertFalse(BackupLifecycle.RESTORE_CANCELLED.movesBackup());
    }

    // ---------------------------------------------------------------- delete, reset, import

    @Test
    void deleteFinishedReleasesQuotaWhateverTheStatusAndRecountsTheParent() {
        Transition t = BackupLifecycle.DELETE_FINISHED;
        assertEquals(Map.of(QuotaResources.BACKUPS, -1, QuotaResources.BACKUP_GIGABYTES, -7),
                t.quota().deltas(7));
        assertTrue(t.refreshesParent());
        assertNull(t.volume());
        assertNull(t.snapshot());
    }

    @Test
    void onlyCreateImportAndDeleteTouchTheQuota() {
        for (Transition t : BackupLifecycle.all()) {
            Quota expected = t == BackupLifecycle.CREATE_REQUESTED || t == BackupLifecycle.IMPORT_REQUESTED
                    ? Quota.RESERVE : t == BackupLifecycle.DELETE_FINISHED ? Quota.RELEASE : Quota.NONE;
            assertEquals(expected, t.quota(), t.name());
        }
    }

    @Test
    void deleteAndForceDeleteDifferOnlyInTheirFromStatuses() {
        // api.py delete: available or error unless force; cinder's driver failure is error, not error_deleting.
        assertEquals(Set.of(AVAILABLE, ERROR), BackupLifecycle.DELETE_REQUESTED.from());
        assertEquals(EnumSet.allOf(BackupStatus.class), BackupLifecycle.FORCE_DELETE_REQUESTED.from());
        assertEquals(ERROR, BackupLifecycle.DELETE_FAILED.to());
    }

    @Test
    void resetStatusTakesTheAdminsTargetFromAnyStatus() {
        Transition reset = BackupLifecycle.RESET_STATUS.withTarget(AVAILABLE);
        assertEquals(AVAILABLE, reset.to());
        assertTrue(reset.movesBackup());
        assertTrue(reset.allows(DELETING));
        assertSame(null, BackupLifecycle.RESET_STATUS.to());
        assertThrows(IllegalStateException.class, () -> BackupLifecycle.DELETE_FAILED.withTarget(AVAILABLE));
        assertThrows(IllegalStateException.class, () -> BackupLifecycle.RESTORE_CANCELLED.withTarget(AVAILABLE));
    }

    @Test
    void onlyTheRowsThatCompleteOrRemoveABackupRecountItsParent() {
        Set<String> refreshing = new HashSet<>();
        BackupLifecycle.all().stream().filter(Transition::refreshesParent).forEach(t -> refreshing.add(t.name()));
        assertEquals(Set.of("CREATE_FINISHED", "DELETE_FINISHED", "RESET_STATUS", "IMPORT_FINISHED"), refreshing);
    }

    @Test
    void exportOnlyFromAvailable() {
        assertEquals(Set.of(AVAILABLE), BackupLifecycle.EXPORTABLE);
    }

    @Test
    void statusesAreCinderStrings() {
        assertEquals(List.of("creating", "available", "deleting", "deleted", "restoring", "error", "error_deleting"),
                Stream.of(BackupStatus.values()).map(BackupStatus::value).toList());
        assertEquals("backing-up", VolumeStatus.BACKING_UP.value());
        assertEquals("error_backing-up", VolumeStatus.ERROR_BACKING_UP.value());
        assertEquals("restoring-backup", VolumeStatus.RESTORING_BACKUP.value());
        assertEquals("in-use", VolumeStatus.IN_USE.value());
        assertEquals(22, VolumeStatus.values().length); // cinder's VolumeStatus.ALL
        assertEquals(10, SnapshotStatus.values().length); // cinder's SnapshotStatus.ALL
        assertEquals(Optional.empty(), VolumeStatus.parse("not-a-status"));
        assertEquals(Optional.of(VolumeStatus.ERROR_RESTORING), VolumeStatus.parse("error_restoring"));
    }
}
