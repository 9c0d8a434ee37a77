package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.VolumeData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A {@code restore_backup} delivered again after the restore ended (the broker redelivers when a
 * host dies between its final commit and the ack) changes nothing: the restored volume stays
 * {@code available} with the restored data, and the backup stays {@code available}. Driven
 * through the manager's RPC entry point, as the broker would, on the real database.
 */
class RestoreRedeliveryTest {

    @Test
    void redeliveredRestoreLeavesTheFinishedRestoreAlone() throws Exception {
        EmberServer server = EmberServer.shared();
        Api api = server.api.newProject();
        String vol = api.createVolume(1);
        VolumeData.write(server.volumeFile(vol), 0, 1 << 20, 7);
        String backup = api.createBackup(vol, false);
        api.awaitBackupStatus(backup, "available");

        var r = api.post("/backups/" + backup + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        String target = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        api.awaitBackupStatus(backup, "available");
        String restored = VolumeData.sha256(server.volumeFile(target));

        // The same message again, for a new volume and for an existing one.
        server.ember.manager().restoreBackup(backup, target, true);
        server.ember.manager().restoreBackup(backup, target, false);

        assertEquals("available", api.volume(target).getString("status"));
        assertEquals("available", api.backup(backup).getString("status"));
        assertEquals(restored, VolumeData.sha256(server.volumeFile(target)));
        assertEquals(VolumeData.sha256(server.volumeFile(vol)), restored);
    }
}
