package dev.ember.volume;

import dev.ember.model.VolumeStatus;
import dev.ember.model.SnapshotStatus;
import dev.ember.model.VolumeTransition;
import dev.ember.model.VolumeLifecycle;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The volume service's own transitions (cinder/volume/api.py, manager.py), without a database. */
class VolumeLifecycleTest {

    @Test
    void deleteOnlyFromCindersExpectedStatuses() {
        for (VolumeStatus s : VolumeStatus.values()) {
            boolean expected = List.of("available", "error", "error_restoring", "error_extending", "error_managing")
                    .contains(s.value());
            assertEquals(expected, VolumeLifecycle.DELETE_REQUESTED.allows(s.value()), s.value());
        }
        assertEquals("error_deleting", VolumeLifecycle.DELETE_FAILED.resolve("deleting", null).orElseThrow().status());
    }

    @Test
    void extendStashesTheStatusAndReturnsToIt() {
        assertEquals(Optional.of(new VolumeTransition.Change("extending", true, "in-use")),
                VolumeLifecycle.EXTEND_STARTED.resolve("in-use", null));
        assertEquals(Optional.empty(), VolumeLifecycle.EXTEND_STARTED.resolve("backing-up", null));
        assertEquals(Optional.of(new VolumeTransition.Change("in-use", true, "extending")),
                VolumeLifecycle.EXTEND_FINISHED.resolve("extending", "in-use"));
        assertEquals("error_extending", VolumeLifecycle.EXTEND_FAILED.resolve("extending", "in-use").orElseThrow().status());
    }

    @Test
    void attachmentChangesWhileBackingUpOnlyChangeWhereTheVolumeReturns() {
        for (VolumeStatus s : VolumeStatus.values()) {
            // Exactly one of each pair applies, whatever the status.
            assertTrue(VolumeLifecycle.ATTACHED.allows(s.value()) ^ VolumeLifecycle.ATTACHED_WHILE_BACKING_UP.allows(s.value()));
            assertTrue(VolumeLifecycle.DETACHED.allows(s.value()) ^ VolumeLifecycle.DETACHED_WHILE_BACKING_UP.allows(s.value()));
        }
        assertEquals(Optional.of(new VolumeTransition.Change("backing-up", true, "in-use")),
                VolumeLifecycle.ATTACHED_WHILE_BACKING_UP.resolve("backing-up", "available"));
        assertEquals(Optional.of(new VolumeTransition.Change("backing-up", true, "available")),
                VolumeLifecycle.DETACHED_WHILE_BACKING_UP.resolve("backing-up", "in-use"));
        assertEquals(Optional.of(new VolumeTransition.Change("in-use", false, null)),
                VolumeLifecycle.ATTACHED.resolve("attaching", null));
        assertFalse(VolumeLifecycle.ATTACH_RESERVED.allows("reserved"));
        assertTrue(VolumeLifecycle.ATTACH_RESERVED.allows("downloading"));
    }

    @Test
    void resetStatusNeedsTheAdminsTarget() {
        assertThrows(IllegalStateException.class, () -> VolumeLifecycle.RESET_STATUS.resolve("available", null));
        assertEquals("maintenance", VolumeLifecycle.RESET_STATUS.withTarget(VolumeStatus.MAINTENANCE)
                .resolve("error", null).orElseThrow().status());
        assertThrows(IllegalStateException.class, () -> VolumeLifecycle.CREATED.withTarget(VolumeStatus.ERROR));
    }

    @Test
    void snapshotRows() {
        assertTrue(VolumeLifecycle.SNAPSHOT_DELETE_REQUESTED.allows("error"));
        assertFalse(VolumeLifecycle.SNAPSHOT_DELETE_REQUESTED.allows("backing-up"));
        assertEquals(SnapshotStatus.AVAILABLE, VolumeLifecycle.SNAPSHOT_CREATED.to());
        assertFalse(VolumeLifecycle.SNAPSHOT_CREATED.allows("not-a-status"));
    }

    @Test
    void unknownStatusesAreNeverAllowed() {
        for (VolumeTransition t : VolumeLifecycle.volumeRows()) {
            assertFalse(t.allows("not-a-status"), t.name());
            assertFalse(t.allows(null), t.name());
        }
    }
}
