package dev.ember.api;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeData;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Full, incremental, restore, delete-from-top, export/import through the API on the real database. */
class BackupLifecycleTest {

    static EmberServer server;
    Api api;

    @BeforeAll
    static void start() throws Exception {
        server = EmberServer.shared();
    }

    @org.junit.jupiter.api.BeforeEach
    void project() {
        api = server.api.newProject();
    }

    @Test
    void fullIncrementalRestoreAndDeleteFromTop() throws Exception {
        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        Path file = server.volumeFile(vol);
        VolumeData.write(file, 0, 3 << 20, 1);
        VolumeData.write(file, 700L << 20, 1 << 20, 2);
        String sumFull = VolumeData.sha256(file);

        String full = api.createBackup(vol, false);
        JsonObject fb = api.awaitBackupStatus(full, "available");
        assertFalse(fb.getBoolean("is_incremental"));
        assertEquals(1, fb.getInteger("size"));
        assertTrue(fb.getInteger("object_count") > 0);
        assertEquals("available", api.volume(vol).getString("status"));

        VolumeData.write(file, 5L << 20, 64 << 10, 3);
        String sumInc = VolumeData.sha256(file);
        assertNotEquals(sumFull, sumInc);
        String inc = api.createBackup(vol, true);
        JsonObject ib = api.awaitBackupStatus(inc, "available");
        assertTrue(ib.getBoolean("is_incremental"));
        assertTrue(api.backup(full).getBoolean("has_dependent_backups"));
        assertFalse(ib.getBoolean("has_dependent_backups"));
        assertEquals(1, Integer.parseInt(TestDatabase.queryString(
                "SELECT num_dependent_backups FROM backups WHERE id = ?", full)));

        Api.Resp refused = api.delete("/backups/" + full);
        assertEquals(400, refused.status());
        assertEquals(new JsonObject("{\"badRequest\": {\"code\": 400, \"message\": "
                + "\"Invalid backup: Incremental backups exist for this backup.\"}}"), refused.json());

        // Restore each backup into a new volume and compare with the data at its time.
        for (String[] c : new String[][]{{full, sumFull}, {inc, sumInc}}) {
            Api.Resp r = api.post("/backups/" + c[0] + "/restore", "{\"restore\": {}}");
            assertEquals(202, r.status(), r.text());
            JsonObject res = r.json().getJsonObject("restore");
            assertEquals(c[0], res.getString("backup_id"));
            assertEquals("restore_backup_" + c[0], res.getString("volume_name"));
            String target = res.getString("volume_id");
            api.awaitVolumeStatus(target, "available");
            api.awaitBackupStatus(c[0], "available");
            assertEquals(c[1], VolumeData.sha256(server.volumeFile(target)), "restored data of " + c[0]);
            assertEquals(c[0], api.volume(target).getJsonObject("metadata").getString("src_backup_id"));
        }

        // Restore onto an existing volume of the same size.
        String target = api.createVolume(1);
        Api.Resp r = api.post("/backups/" + inc + "/restore", "{\"restore\": {\"volume_id\": \"" + target + "\"}}");
        assertEquals(202, r.status(), r.text());
        api.awaitVolumeStatus(target, "available");
        api.awaitBackupStatus(inc, "available");
        assertEquals(sumInc, VolumeData.sha256(server.volumeFile(target)));

        assertEquals(202, api.delete("/backups/" + inc).status());
        api.awaitBackup(inc, b -> b == null);
        assertFalse(api.backup(full).getBoolean("has_dependent_backups"));
        assertEquals(202, api.delete("/backups/" + full).status());
        api.awaitBackup(full, b -> b == null);
        assertEquals("1", TestDatabase.queryString("SELECT deleted FROM backups WHERE id = ?", full));
        assertEquals("deleted", TestDatabase.queryString("SELECT status FROM backups WHERE id = ?", full));
        assertNull(api.backup(full));
        // The backup's objects are gone from the posix store.
        try (var files = Files.walk(server.stateDir.resolve("backup"))) {
            assertTrue(files.filter(Files::isRegularFile).noneMatch(p -> p.getFileName().toString().contains(full)),
                    "objects of the full backup remain");
        }
    }

    @Test
    void incrementalWithoutFullIsRefused() {
        String vol = api.createVolume(1);
        Api.Resp r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"incremental\": true}}");
        assertEquals(400, r.status());
        assertEquals("Invalid backup: No backups available to do an incremental backup.",
                r.json().getJsonObject("badRequest").getString("message"));
        assertEquals("available", api.volume(vol).getString("status"));
    }

    @Test
    void parentMustBeAvailable() throws Exception {
        String vol = api.createVolume(1);
        String full = api.createBackup(vol, false);
        api.awaitBackupStatus(full, "available");
        assertEquals(202, api.post("/backups/" + full + "/action", "{\"os-reset_status\": {\"status\": \"error\"}}").status());
        api.awaitBackupStatus(full, "error");
        Api.Resp r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"incremental\": \"True\"}}");
        assertEquals(400, r.status());
        assertEquals("Invalid backup: The parent backup must be available for incremental backup.",
                r.json().getJsonObject("badRequest").getString("message"));
    }

    @Test
    void exportDeleteImportRestores() throws Exception {
        String vol = api.createVolume(1);
        Path file = server.volumeFile(vol);
        VolumeData.write(file, 1 << 20, 2 << 20, 9);
        String sum = VolumeData.sha256(file);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");

        Api.Resp ex = api.get("/backups/" + id + "/export_record");
        assertEquals(200, ex.status(), ex.text());
        JsonObject rec = ex.json().getJsonObject("backup-record");
        assertEquals("cinder.backup.drivers.posix.PosixBackupDriver", rec.getString("backup_service"));

        // Import of a record whose backup still exists is refused.
        Api.Resp dup = api.post("/backups/import_record", new JsonObject().put("backup-record", rec).encode());
        assertEquals(400, dup.status());
        assertEquals("Invalid backup: Backup already exists in database.",
                dup.json().getJsonObject("badRequest").getString("message"));

        // Forget the row only (soft delete) and import it back: the data must still restore.
        TestDatabase.execute("UPDATE backups SET deleted = 1, status = 'deleted' WHERE id = ?", id);
        Api.Resp im = api.post("/backups/import_record", new JsonObject().put("backup-record", rec).encode());
        assertEquals(201, im.status(), im.text());
        assertEquals(id, im.json().getJsonObject("backup").getString("id"));
        // cinder's manager gives an imported backup its own zone (created ones have none).
        assertEquals("nova", api.awaitBackupStatus(id, "available").getString("availability_zone"));

        Api.Resp r = api.post("/backups/" + id + "/restore", "{\"restore\": null}");
        assertEquals(202, r.status(), r.text());
        String target = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        assertEquals(sum, VolumeData.sha256(server.volumeFile(target)));
    }

    @Test
    void forceDeleteAndResetStatus() {
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");
        Api.Resp bad = api.post("/backups/" + id + "/action", "{\"os-reset_status\": {\"status\": \"creating\"}}");
        assertEquals(400, bad.status());
        assertEquals("Backup status: creating is invalid, valid statuses are: ['available', 'error'].",
                bad.json().getJsonObject("badRequest").getString("message"));
        assertEquals(202, api.post("/backups/" + id + "/action", "{\"os-reset_status\": {\"status\": \"ERROR\"}}").status());
        api.awaitBackupStatus(id, "error");
        // The posix driver supports force delete.
        assertEquals(202, api.post("/backups/" + id + "/action", "{\"os-force_delete\": {}}").status());
        api.awaitBackup(id, b -> b == null);
    }

    @Test
    void restoreIntoSmallerVolumeIsRefused() {
        String big = api.createVolume(2);
        String id = api.createBackup(big, false);
        api.awaitBackupStatus(id, "available");
        String small = api.createVolume(1);
        Api.Resp r = api.post("/backups/" + id + "/restore", "{\"restore\": {\"volume_id\": \"" + small + "\"}}");
        assertEquals(400, r.status());
        assertEquals("Invalid volume: volume size 1 is too small to restore backup of size 2.",
                r.json().getJsonObject("badRequest").getString("message"));
        assertEquals("available", api.backup(id).getString("status"));
        assertEquals("available", api.volume(small).getString("status"));
    }

    @Test
    void quotaExceededAnswers413() throws Exception {
        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backups', 1)", api.project);
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");
        Api.Resp r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}");
        assertEquals(413, r.status(), r.text());
        assertEquals("0", r.header("Retry-After"));
        JsonObject f = r.json().getJsonObject("overLimit");
        assertEquals("BackupLimitExceeded: Maximum number of backups allowed (1) exceeded", f.getString("message"));
        assertEquals("0", f.getString("retryAfter"));
        assertEquals("available", api.volume(vol).getString("status"));

        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backup_gigabytes', 2)", api.project);
        TestDatabase.execute("UPDATE quotas SET hard_limit = 5 WHERE project_id = ? AND resource = 'backups'", api.project);
        String big = api.createVolume(2);
        Api.Resp g = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + big + "\"}}");
        assertEquals(413, g.status(), g.text());
        assertEquals("VolumeBackupSizeExceedsAvailableQuota: Requested backup exceeds allowed Backup gigabytes quota. "
                + "Requested 2G, quota is 2G and 1G has been consumed.", g.json().getJsonObject("overLimit").getString("message"));
    }

    @Test
    void inUseVolumeNeedsForce() throws Exception {
        String vol = api.createVolume(1);
        TestDatabase.execute("UPDATE volumes SET status = 'in-use' WHERE id = ?", vol);
        Api.Resp r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}");
        assertEquals(400, r.status());
        assertEquals("Invalid volume: Backing up an in-use volume must use the force flag.",
                r.json().getJsonObject("badRequest").getString("message"));
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(api.post("/backups",
                "{\"backup\": {\"volume_id\": \"" + vol + "\", \"force\": true}}").text()).at("/backup/id").asText();
        api.awaitBackupStatus(id, "available");
        assertEquals("in-use", api.volume(vol).getString("status"));

        TestDatabase.execute("UPDATE volumes SET status = 'error' WHERE id = ?", vol);
        Api.Resp e = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}");
        assertEquals("Invalid volume: Volume to be backed up must be available or in-use, but the current status is \"error\".",
                e.json().getJsonObject("badRequest").getString("message"));
    }
}
