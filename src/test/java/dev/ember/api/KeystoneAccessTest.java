package dev.ember.api;

import dev.ember.config.Config;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.RealKeystone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Ember in keystone mode against Debian's real Keystone (devstack/lib/keystone.sh's fixture):
 * project isolation, the reader role, admin-only actions and token refusal, end to end through
 * the API on the real database. Outages and malformed Keystone answers, which a real Keystone
 * does not produce on demand, are KeystoneAuthenticatorTest's (WireMock).
 */
class KeystoneAccessTest {

    static String PROJECT_A;
    static String PROJECT_B;

    static RealKeystone ks;
    static EmberServer server;
    static Api memberA;
    static Api readerA;
    static Api memberB;
    static Api adminA;

    @BeforeAll
    static void start() throws Exception {
        ks = RealKeystone.get();
        PROJECT_A = ks.projectId("a");
        PROJECT_B = ks.projectId("b");
        Config cfg = ks.withAuthToken(EmberServer.baseConfig(Files.createTempDirectory("ember-ks"))
                .with("DEFAULT", "host", "ember-keystone-test"));
        EmberServer.shared(); // the shared database schema exists first
        server = EmberServer.start(cfg);
        Api base = new Api("http://127.0.0.1:" + server.ember.port());
        memberA = base.withToken(ks.token("a-member"), PROJECT_A);
        readerA = base.withToken(ks.token("a-reader"), PROJECT_A);
        memberB = base.withToken(ks.token("b-member"), PROJECT_B);
        adminA = base.withToken(ks.token("a-admin"), PROJECT_A);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.ember.close();
        }
    }

    static String message(Api.Resp r, String fault) {
        assertNotNull(r.json().getJsonObject(fault), r.text());
        return r.json().getJsonObject(fault).getString("message");
    }

    @Test
    void projectsAreIsolatedAndRolesEnforced() {
        String vol = memberA.createVolume(1);
        String id = memberA.createBackup(vol, false);
        memberA.awaitBackupStatus(id, "available");

        // Another project: the backup does not exist for it.
        assertEquals(404, memberB.get("/backups/" + id).status());
        assertEquals("Backup " + id + " could not be found.", message(memberB.get("/backups/" + id), "itemNotFound"));
        assertEquals(404, memberB.delete("/backups/" + id).status());
        assertEquals(404, memberB.post("/backups/" + id + "/restore", "{\"restore\": {}}").status());
        // (Project B is shared with RealKeystoneScopeTest in this JVM's database: look for A's backup.)
        assertFalse(memberB.get("/backups/detail").text().contains(id));
        assertFalse(memberB.get("/backups?all_tenants=1").text().contains(id));
        assertEquals(404, memberB.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}").status());

        // A reader reads but does not write.
        assertEquals(200, readerA.get("/backups/" + id).status());
        Api.Resp create = readerA.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}");
        assertEquals(403, create.status());
        assertEquals("Policy doesn't allow backup:create to be performed.", message(create, "forbidden"));
        assertEquals(403, readerA.delete("/backups/" + id).status());
        assertEquals(403, readerA.post("/backups/" + id + "/restore", "{\"restore\": {}}").status());

        // Admin-only actions refuse members.
        assertEquals(403, memberA.get("/backups/" + id + "/export_record").status());
        assertEquals(403, memberA.post("/backups/" + id + "/action", "{\"os-reset_status\": {\"status\": \"error\"}}").status());
        assertEquals(403, memberA.post("/backups/" + id + "/action", "{\"os-force_delete\": {}}").status());
        assertEquals(403, memberA.post("/backups/import_record",
                "{\"backup-record\": {\"backup_service\": \"x\", \"backup_url\": \"eyJ9\"}}").status());
        // Members do not see the project attribute or the user id.
        var shown = memberA.call("GET", "/backups/" + id, null, "3.64").json().getJsonObject("backup");
        assertFalse(shown.containsKey("os-backup-project-attr:project_id"));
        assertFalse(shown.containsKey("user_id"));

        // The admin does.
        assertEquals(200, adminA.get("/backups/" + id + "/export_record").status());
        var adminView = adminA.call("GET", "/backups/" + id, null, "3.64").json().getJsonObject("backup");
        assertEquals(PROJECT_A, adminView.getString("os-backup-project-attr:project_id"));
        assertEquals(ks.fixture.getJsonObject("users").getJsonObject("a-member").getString("id"),
                adminView.getString("user_id"));

        // Tokens: none, unknown (Keystone answers 404 for a token it did not issue).
        Api.Resp none = memberA.withToken(null, PROJECT_A).get("/backups");
        assertEquals(401, none.status());
        assertNotNull(none.header("WWW-Authenticate"));
        assertEquals(401, memberA.withToken("gAAAAABnot-a-real-fernet-token", PROJECT_A).get("/backups").status());
        // A member's token used on another project's URL.
        assertEquals(400, memberB.withToken(ks.token("b-member"), PROJECT_A).get("/backups").status());

        assertEquals(202, memberA.delete("/backups/" + id).status());
        memberA.awaitBackup(id, b -> b == null);
    }
}
