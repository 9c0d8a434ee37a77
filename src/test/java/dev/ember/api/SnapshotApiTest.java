package dev.ember.api;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeData;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshots API, volume actions and snapshot backups on the embedded (file) profile: cinder's
 * views, status rules and messages.
 */
class SnapshotApiTest {

    static EmberServer server;
    Api api;

    @BeforeAll
    static void start() throws Exception {
        server = EmberServer.shared();
    }

    @BeforeEach
    void project() {
        api = server.api.newProject();
    }

    static JsonObject fault(int code, String message) {
        String name = Faults.name(code);
        return new JsonObject().put(name, new JsonObject().put("code", code).put("message", message));
    }

    String createSnapshot(String vol, boolean force) {
        Api.Resp r = api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol + "\", \"name\": \"s1\", "
                + "\"force\": " + force + "}}");
        assertEquals(202, r.status(), r.text());
        return r.json().getJsonObject("snapshot").getString("id");
    }

    @Test
    void createListShowDelete() throws Exception {
        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        Api.Resp r = api.call("POST", "/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol + "\", \"name\": \"s1\", "
                + "\"description\": \"d\"}}", "3.64");
        assertEquals(202, r.status(), r.text());
        JsonObject s = r.json().getJsonObject("snapshot");
        String id = s.getString("id");
        assertEquals("available", s.getString("status"));
        assertEquals("s1", s.getString("name"));
        assertEquals("d", s.getString("description"));
        assertEquals(vol, s.getString("volume_id"));
        assertEquals(1, s.getInteger("size"));
        assertEquals(new JsonObject(), s.getJsonObject("metadata"));
        // cinder's extended_snapshot_attributes extension extends show and detail, not create
        // (tempest's create_snapshot schema has additionalProperties False).
        assertFalse(s.containsKey("os-extended-snapshot-attributes:progress"));
        assertFalse(s.containsKey("os-extended-snapshot-attributes:project_id"));
        assertTrue(s.containsKey("group_snapshot_id"));
        assertEquals(api.user, s.getString("user_id"));
        assertTrue(Files.exists(server.stateDir.resolve("volumes").resolve("snapshot-" + id)));

        JsonObject shown = api.call("GET", "/snapshots/" + id, null, "3.64").json().getJsonObject("snapshot");
        assertEquals("100%", shown.getString("os-extended-snapshot-attributes:progress"));
        assertEquals(api.project, shown.getString("os-extended-snapshot-attributes:project_id"));
        java.util.Set<String> created = new java.util.HashSet<>(s.fieldNames());
        created.add("os-extended-snapshot-attributes:progress");
        created.add("os-extended-snapshot-attributes:project_id");
        assertEquals(created, shown.fieldNames());
        JsonObject listed = api.get("/snapshots").json().getJsonArray("snapshots").getJsonObject(0);
        assertEquals(java.util.Set.of("id", "created_at", "updated_at", "name", "description", "volume_id", "status",
                "size", "metadata"), listed.fieldNames());
        assertEquals(1, api.get("/snapshots/detail?volume_id=" + vol).json().getJsonArray("snapshots").size());
        assertEquals(0, api.get("/snapshots/detail?status=error").json().getJsonArray("snapshots").size());
        // Another project does not list it (noauth callers are admins, so show would find it).
        assertEquals(0, api.newProject().get("/snapshots").json().getJsonArray("snapshots").size());

        // A volume with snapshots cannot be deleted.
        assertEquals(400, api.delete("/volumes/" + vol).status());

        assertEquals(202, api.delete("/snapshots/" + id).status());
        assertEquals(fault(404, "Snapshot " + id + " could not be found."), api.get("/snapshots/" + id).json());
        assertFalse(Files.exists(server.stateDir.resolve("volumes").resolve("snapshot-" + id)));
        assertEquals(202, api.delete("/volumes/" + vol).status());
    }

    @Test
    void volumeCreateAcceptsKeysItDoesNotName() throws Exception {
        // cinder/api/schemas/volumes.py: the volume object has additionalProperties True
        // (cinder-tempest-plugin 1.7.2's CreateVolumesFromBackupTest sends the key "'backup_id").
        Api.Resp r = api.post("/volumes", "{\"volume\": {\"size\": 1, \"'backup_id\": \"x\"}}");
        assertEquals(202, r.status(), r.text());
        String vol = r.json().getJsonObject("volume").getString("id");
        api.awaitVolumeStatus(vol, "available");
        assertEquals(202, api.delete("/volumes/" + vol).status());
    }

    @Test
    void createErrors() throws Exception {
        String missing = UUID.randomUUID().toString();
        assertEquals(fault(404, "Volume " + missing + " could not be found."),
                api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + missing + "\"}}").json());
        Api.Resp bad = api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"x\"}}");
        assertEquals(400, bad.status());
        // cinder's snapshot schema has volume_id as uuid_allow_null (a oneOf), and prints str(value).
        assertEquals("Invalid input for field/attribute volume_id. Value: x. 'x' is not valid under any of the given schemas",
                bad.json().getJsonObject("badRequest").getString("message"));
        assertEquals(400, api.post("/snapshots", "{\"snapshot\": {}}").status());
        assertEquals(400, api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + missing + "\", \"x\": 1}}").status());

        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        TestDatabase.execute("UPDATE volumes SET status = 'in-use' WHERE id = ?", vol);
        assertEquals(fault(400, "Invalid volume: Volume " + vol + " status must be available, but current status is: "
                + "in-use."), api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol + "\"}}").json());
        String forced = createSnapshot(vol, true);
        assertEquals("available", api.get("/snapshots/" + forced).json().getJsonObject("snapshot").getString("status"));
        // From 3.66 in-use volumes are snapshotted without the flag; an explicit false is refused.
        Api.Resp r366 = api.call("POST", "/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol + "\"}}", "3.66");
        assertEquals(202, r366.status(), r366.text());
        assertEquals(202, api.delete("/snapshots/" + r366.json().getJsonObject("snapshot").getString("id")).status());
        Api.Resp f366 = api.call("POST", "/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol
                + "\", \"force\": false}}", "3.66");
        assertEquals(400, f366.status(), f366.text());
        TestDatabase.execute("UPDATE volumes SET status = 'backing-up' WHERE id = ?", vol);
        assertEquals(fault(400, "Invalid volume: Volume " + vol + " status must be available, in-use, but current "
                + "status is: backing-up."), api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol
                + "\", \"force\": true}}").json());
        TestDatabase.execute("UPDATE snapshots SET status = 'creating' WHERE id = ?", forced);
        assertEquals(fault(400, "Invalid snapshot: Snapshot status must be available or error and must not be part of "
                + "a group."), api.delete("/snapshots/" + forced).json());
    }

    @Test
    void backupOfASnapshot() throws Exception {
        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        var file = server.volumeFile(vol);
        VolumeData.write(file, 0, 1 << 20, 11);
        String sumAtSnapshot = VolumeData.sha256(file);
        String snap = createSnapshot(vol, false);
        VolumeData.write(file, 0, 1 << 20, 12);

        String other = api.createVolume(1);
        api.awaitVolumeStatus(other, "available");
        assertEquals(fault(400, "Invalid volume: Volume " + other + " does not match with snapshot.volume_id " + vol + "."),
                api.post("/backups", "{\"backup\": {\"volume_id\": \"" + other + "\", \"snapshot_id\": \"" + snap
                        + "\"}}").json());
        String missing = UUID.randomUUID().toString();
        assertEquals(fault(404, "Snapshot " + missing + " could not be found."),
                api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"snapshot_id\": \"" + missing
                        + "\"}}").json());

        // The volume's own status does not matter for a snapshot backup (cinder checks only the snapshot).
        TestDatabase.execute("UPDATE volumes SET status = 'in-use' WHERE id = ?", vol);
        Api.Resp r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"snapshot_id\": \"" + snap + "\"}}");
        assertEquals(202, r.status(), r.text());
        String backup = r.json().getJsonObject("backup").getString("id");
        JsonObject b = api.awaitBackupStatus(backup, "available");
        assertEquals(snap, b.getString("snapshot_id"));
        JsonObject s = api.get("/snapshots/" + snap).json().getJsonObject("snapshot");
        assertEquals("available", s.getString("status"));
        assertEquals(s.getString("created_at"), b.getString("data_timestamp"));
        assertEquals("in-use", api.volume(vol).getString("status"));
        TestDatabase.execute("UPDATE volumes SET status = 'available' WHERE id = ?", vol);

        TestDatabase.execute("UPDATE snapshots SET status = 'creating' WHERE id = ?", snap);
        assertEquals(fault(400, "Invalid snapshot: Snapshot to be backed up must be available, but the current status "
                        + "is \"creating\"."),
                api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"snapshot_id\": \"" + snap
                        + "\"}}").json());
        TestDatabase.execute("UPDATE snapshots SET status = 'available' WHERE id = ?", snap);

        Api.Resp restore = api.post("/backups/" + backup + "/restore", "{\"restore\": {}}");
        assertEquals(202, restore.status(), restore.text());
        String target = restore.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        api.awaitBackupStatus(backup, "available");
        assertEquals(sumAtSnapshot, VolumeData.sha256(server.volumeFile(target)));
    }

    @Test
    void extendAndResetStatus() throws Exception {
        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        assertEquals(202, api.post("/volumes/" + vol + "/action", "{\"os-extend\": {\"new_size\": 2}}").status());
        JsonObject v = api.volume(vol);
        assertEquals(2, v.getInteger("size"));
        assertEquals("available", v.getString("status"));
        assertEquals(2L << 30, Files.size(server.volumeFile(vol)));
        assertEquals(fault(400, "Invalid input received: New size for extend must be greater than current size. "
                        + "(current: 2, extended: 1)."),
                api.post("/volumes/" + vol + "/action", "{\"os-extend\": {\"new_size\": 1}}").json());
        assertEquals(400, api.post("/volumes/" + vol + "/action", "{\"os-extend\": {}}").status());

        assertEquals(fault(400, "Cannot reset-state to in-use because volume does not have any attachments."),
                api.post("/volumes/" + vol + "/action", "{\"os-reset_status\": {\"status\": \"in-use\"}}").json());
        assertEquals(202, api.post("/volumes/" + vol + "/action", "{\"os-reset_status\": {\"status\": \"error\"}}").status());
        assertEquals("error", api.volume(vol).getString("status"));
        assertEquals(202, api.post("/volumes/" + vol + "/action", "{\"os-reset_status\": {\"status\": \"AVAILABLE\"}}").status());
        assertEquals("available", api.volume(vol).getString("status"));
        Api.Resp bad = api.post("/volumes/" + vol + "/action", "{\"os-reset_status\": {\"status\": \"bogus\"}}");
        assertEquals(400, bad.status());
        assertNotNull(bad.json().getJsonObject("badRequest"));
        assertEquals(fault(400, "Must specify 'status', 'attach_status' or 'migration_status' for update."),
                api.post("/volumes/" + vol + "/action", "{\"os-reset_status\": {}}").json());
        assertEquals(fault(400, "There is no such action: os-nope"),
                api.post("/volumes/" + vol + "/action", "{\"os-nope\": {}}").json());
    }
}
