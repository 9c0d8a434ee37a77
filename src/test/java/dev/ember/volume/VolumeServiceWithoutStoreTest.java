package dev.ember.volume;

import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.SqlAlchemyUrl;
import dev.ember.db.VolumeRepository;
import dev.ember.error.CinderException;
import dev.ember.model.Snapshot;
import dev.ember.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The embedded volume API where cinder-volume owns the volumes ({@code volume_backend = cinder}:
 * no {@link VolumeStore}): a change to a volume's data ends in that change's error status, and a
 * snapshot is refused with cinder's 400; the rows stay, as with a store that fails.
 */
class VolumeServiceWithoutStoreTest {

    private static final RequestContext ADMIN =
            new RequestContext("u-admin", "p-admin", Set.of("admin", "member", "reader"), true, "t");

    private static Database db;
    private static VolumeService service;

    @BeforeAll
    static void database() {
        db = Database.open(SqlAlchemyUrl.parse(TestDatabase.scratchSqlAlchemyUrl("nostore")), 2);
        db.migrate();
        service = new VolumeService(db, new VolumeRepository(), null, "nostore-host", "nova", Policy.defaults());
    }

    @AfterAll
    static void close() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void createExtendAndDeleteEndInTheirErrorStatuses() {
        String id = service.create(ADMIN, 1, "v", null).id();
        assertEquals("error", service.get(ADMIN, id).status());

        service.resetStatus(ADMIN, id, "available", null);
        service.extend(ADMIN, id, 2, false);
        assertEquals("error_extending", service.get(ADMIN, id).status());
        assertEquals(1, service.get(ADMIN, id).size());

        service.delete(ADMIN, id);
        assertEquals("error_deleting", service.get(ADMIN, id).status());
    }

    @Test
    void snapshotsAreRefusedAndAnExistingOneFailsToDelete() {
        String volumeId = service.create(ADMIN, 1, "v", null).id();
        service.resetStatus(ADMIN, volumeId, "available", null);
        CinderException refused = assertThrows(CinderException.class,
                () -> service.snapshots().create(ADMIN, volumeId, false, "s", null));
        assertEquals(CinderException.Kind.BAD_REQUEST, refused.kind());
        assertEquals("Snapshots are not supported by this volume backend.", refused.getMessage());

        // A snapshot row that exists anyway (made by cinder-volume's side) cannot be deleted here.
        String snapshotId = UUID.randomUUID().toString();
        LocalDateTime now = BackupRepository.now();
        db.txRun(dsl -> new SnapshotRepository().insert(dsl, new Snapshot(snapshotId, volumeId, ADMIN.userId(),
                ADMIN.projectId(), "available", "100%", 1, "s", null, null, null, true, now, now)));
        service.snapshots().delete(ADMIN, snapshotId);
        assertEquals("error_deleting", service.snapshots().get(ADMIN, snapshotId).status());
    }
}
