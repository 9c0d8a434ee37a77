package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * An incremental cannot attach to a parent whose delete is committing at the same moment: with a
 * delete's transaction holding the parent row (locked, set deleting, not yet committed), the
 * create waits for it and is then refused with cinder's message, and no backup names the deleted
 * parent. On the real MariaDB, the delete played by a second connection.
 */
class IncrementalParentRaceTest {

    @Test
    void incrementalWaitsForAConcurrentDeleteOfItsParent() throws Exception {
        EmberServer server = EmberServer.shared();
        Api api = server.api.newProject();
        String vol = api.createVolume(1);
        String parent = api.createBackup(vol, false);
        api.awaitBackupStatus(parent, "available");
        api.awaitVolumeStatus(vol, "available");

        try (Connection delete = TestDatabase.connect()) {
            delete.setAutoCommit(false);
            try (var st = delete.prepareStatement("SELECT id FROM backups WHERE id = ? FOR UPDATE")) {
                st.setString(1, parent);
                st.executeQuery().close();
            }
            try (var st = delete.prepareStatement("UPDATE backups SET status = 'deleting' WHERE id = ?")) {
                st.setString(1, parent);
                st.executeUpdate();
            }
            CompletableFuture<Api.Resp> create = CompletableFuture.supplyAsync(() -> api.post("/backups",
                    "{\"backup\": {\"volume_id\": \"" + vol + "\", \"incremental\": true}}"));
            Thread.sleep(1500);
            assertFalse(create.isDone(), "the create waited for the parent's row: " + (create.isDone() ? create.join().text() : ""));
            delete.commit();
            Api.Resp r = create.get(60, TimeUnit.SECONDS);
            assertEquals(400, r.status(), r.text());
            assertEquals("Invalid backup: The parent backup must be available for incremental backup.",
                    r.json().getJsonObject("badRequest").getString("message"));
        }
        assertEquals("0", TestDatabase.queryString("SELECT COUNT(*) FROM backups WHERE parent_id = ?", parent));
    }
}
