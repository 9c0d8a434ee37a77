package dev.ember.api;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attachments API (3.27+) and the volume state it drives, on the embedded profile. */
class AttachmentApiTest {

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

    private Api.Resp call(String method, String path, String body, String mv) {
        return api.call(method, path, body, mv);
    }

    @Test
    void reserveCompleteDelete() {
        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        String server1 = UUID.randomUUID().toString();
        // Below 3.27 there is no such resource.
        assertEquals(404, call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + vol + "\"}}", "3.26").status());

        Api.Resp r = call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + vol + "\", \"instance_uuid\": \""
                + server1 + "\", \"connector\": {}}}", "3.64");
        assertEquals(200, r.status(), r.text());
        JsonObject a = r.json().getJsonObject("attachment");
        String id = a.getString("id");
        assertEquals(Set.of("id", "status", "instance", "volume_id", "attached_at", "detached_at", "attach_mode",
                "connection_info"), a.fieldNames());
        assertEquals("reserved", a.getString("status"));
        assertEquals(server1, a.getString("instance"));
        assertEquals("", a.getString("attached_at"));
        assertNull(a.getValue("connection_info"));
        assertEquals("reserved", api.volume(vol).getString("status"));

        // A second reservation of a non-multiattach volume is refused.
        Api.Resp again = call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + vol + "\", "
                + "\"instance_uuid\": \"" + UUID.randomUUID() + "\"}}", "3.64");
        assertEquals(SnapshotApiTest.fault(400, "Invalid volume: Volume " + vol + " status must be available or downloading"),
                again.json());

        // os-complete needs 3.44.
        assertEquals(404, call("POST", "/attachments/" + id + "/action", "{\"os-complete\": null}", "3.43").status());
        assertEquals(204, call("POST", "/attachments/" + id + "/action", "{\"os-complete\": null}", "3.44").status());
        JsonObject v = api.volume(vol);
        assertEquals("in-use", v.getString("status"));
        JsonArray atts = v.getJsonArray("attachments");
        assertEquals(1, atts.size());
        assertEquals(id, atts.getJsonObject(0).getString("attachment_id"));
        assertEquals(server1, atts.getJsonObject(0).getString("server_id"));
        JsonObject shown = call("GET", "/attachments/" + id, null, "3.64").json().getJsonObject("attachment");
        assertEquals("attached", shown.getString("status"));
        assertTrue(!shown.getString("attached_at").isEmpty());

        JsonArray list = call("GET", "/attachments", null, "3.64").json().getJsonArray("attachments");
        assertEquals(1, list.size());
        assertEquals(Set.of("id", "status", "instance", "volume_id"), list.getJsonObject(0).fieldNames());
        assertEquals(1, call("GET", "/attachments/detail?volume_id=" + vol, null, "3.64").json()
                .getJsonArray("attachments").size());
        assertEquals(0, api.newProject().call("GET", "/attachments", null, "3.64").json()
                .getJsonArray("attachments").size());

        // In use: reset-state to in-use is now allowed, backups need force, delete is refused.
        assertEquals(202, api.post("/volumes/" + vol + "/action", "{\"os-reset_status\": {\"status\": \"in-use\"}}").status());
        assertEquals(SnapshotApiTest.fault(400, "Invalid volume: Backing up an in-use volume must use the force flag."),
                api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}").json());
        assertEquals(400, api.delete("/volumes/" + vol).status());
        Api.Resp forced = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"force\": true}}");
        assertEquals(202, forced.status(), forced.text());
        api.awaitBackupStatus(forced.json().getJsonObject("backup").getString("id"), "available");
        assertEquals("in-use", api.volume(vol).getString("status"));

        Api.Resp del = call("DELETE", "/attachments/" + id, null, "3.64");
        assertEquals(200, del.status(), del.text());
        assertEquals(new JsonObject().put("attachments", new JsonArray()), del.json());
        v = api.volume(vol);
        assertEquals("available", v.getString("status"));
        assertEquals(0, v.getJsonArray("attachments").size());
        assertEquals(SnapshotApiTest.fault(404, "Volume attachment could not be found with filter: attachment_id = "
                + id + "."), call("GET", "/attachments/" + id, null, "3.64").json());
        assertEquals(202, api.delete("/volumes/" + vol).status());
    }

    @Test
    void connectorMakesItAttaching() {
        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        Api.Resp r = call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + vol + "\", \"instance_uuid\": \""
                + UUID.randomUUID() + "\", \"connector\": {\"host\": \"compute1\", \"initiator\": \"iqn.x\"}}}", "3.64");
        assertEquals(200, r.status(), r.text());
        JsonObject a = r.json().getJsonObject("attachment");
        assertEquals("attaching", a.getString("status"));
        assertEquals("rw", a.getString("attach_mode"));
        assertEquals("local", a.getJsonObject("connection_info").getString("driver_volume_type"));
        assertEquals("attaching", api.volume(vol).getString("status"));
        assertEquals(204, call("POST", "/attachments/" + a.getString("id") + "/action", "{\"os-complete\": {}}", "3.44").status());
        JsonObject v = api.volume(vol);
        assertEquals("in-use", v.getString("status"));
        assertEquals("compute1", v.getJsonArray("attachments").getJsonObject(0).getString("host_name"));
        assertEquals(200, call("DELETE", "/attachments/" + a.getString("id"), null, "3.64").status());
        assertEquals("available", api.volume(vol).getString("status"));
    }

    @Test
    void createErrors() {
        String missing = UUID.randomUUID().toString();
        assertEquals(SnapshotApiTest.fault(404, "Volume " + missing + " could not be found."),
                call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + missing + "\"}}", "3.64").json());
        assertEquals(400, call("POST", "/attachments", "{\"attachment\": {}}", "3.64").status());
        assertEquals(400, call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + missing
                + "\", \"mode\": \"rw\"}}", "3.53").status());
        assertEquals(404, call("DELETE", "/attachments/" + missing, null, "3.64").status());
    }
}
