package dev.ember.api;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.ember.config.Config;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ember in keystone mode against a mocked remote Keystone: project isolation, the reader role,
 * admin-only actions and token refusal, end to end through the API on the real database.
 */
class KeystoneAccessTest {

    static final String PROJECT_A = "aaaa" + UUID.randomUUID().toString().replace("-", "").substring(4);
    static final String PROJECT_B = "bbbb" + UUID.randomUUID().toString().replace("-", "").substring(4);
    static final DateTimeFormatter KS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    static WireMockServer keystone;
    static EmberServer server;
    static Api memberA;
    static Api readerA;
    static Api memberB;
    static Api adminA;

    @BeforeAll
    static void start() throws Exception {
        keystone = new WireMockServer(options().dynamicPort());
        keystone.start();
        keystone.stubFor(post(urlEqualTo("/v3/auth/tokens")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withHeader("X-Subject-Token", "svc-token")
                .withBody(token("svc", "service-project", "admin", "service"))));
        stubUser("tok-member-a", "member-a", PROJECT_A, "member", "reader");
        stubUser("tok-reader-a", "reader-a", PROJECT_A, "reader");
        stubUser("tok-member-b", "member-b", PROJECT_B, "member", "reader");
        stubUser("tok-admin-a", "admin-a", PROJECT_A, "admin", "member", "reader");

        Config cfg = EmberServer.baseConfig(Files.createTempDirectory("ember-ks"))
                .with("DEFAULT", "auth_strategy", "keystone")
                .with("DEFAULT", "host", "ember-keystone-test")
                .with("keystone_authtoken", "auth_url", keystone.baseUrl() + "/v3")
                .with("keystone_authtoken", "www_authenticate_uri", keystone.baseUrl() + "/v3")
                .with("keystone_authtoken", "auth_type", "password")
                .with("keystone_authtoken", "username", "cinder")
                .with("keystone_authtoken", "password", "service-secret")
                .with("keystone_authtoken", "user_domain_name", "Default")
                .with("keystone_authtoken", "project_name", "service")
                .with("keystone_authtoken", "project_domain_name", "Default");
        EmberServer.shared(); // the shared database schema exists first
        server = EmberServer.start(cfg);
        Api base = new Api("http://127.0.0.1:" + server.ember.port());
        memberA = base.withToken("tok-member-a", PROJECT_A);
        readerA = base.withToken("tok-reader-a", PROJECT_A);
        memberB = base.withToken("tok-member-b", PROJECT_B);
        adminA = base.withToken("tok-admin-a", PROJECT_A);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.ember.close();
        }
        keystone.stop();
    }

    static String token(String user, String project, String... roles) {
        StringBuilder r = new StringBuilder();
        for (String role : roles) {
            r.append(r.length() == 0 ? "" : ", ").append("{\"id\": \"").append(role).append("-id\", \"name\": \"")
                    .append(role).append("\"}");
        }
        Instant now = Instant.now();
        return "{\"token\": {\"methods\": [\"password\"], \"user\": {\"domain\": {\"id\": \"default\", \"name\": "
                + "\"Default\"}, \"id\": \"" + user + "\", \"name\": \"" + user + "\"}, \"expires_at\": \""
                + KS_TIME.format(now.plusSeconds(3600)) + "\", \"issued_at\": \"" + KS_TIME.format(now)
                + "\", \"project\": {\"domain\": {\"id\": \"default\", \"name\": \"Default\"}, \"id\": \"" + project
                + "\", \"name\": \"p\"}, \"roles\": [" + r + "]}}";
    }

    static void stubUser(String tok, String user, String project, String... roles) {
        keystone.stubFor(get(urlPathEqualTo("/v3/auth/tokens")).withHeader("X-Subject-Token", equalTo(tok))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withHeader("X-Subject-Token", tok).withBody(token(user, project, roles))));
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
        assertTrue(memberB.get("/backups/detail").json().getJsonArray("backups").isEmpty());
        assertTrue(memberB.get("/backups?all_tenants=1").json().getJsonArray("backups").isEmpty());
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
        assertEquals("member-a", adminView.getString("user_id"));

        // Tokens: none, unknown (Keystone answers 404).
        Api.Resp none = memberA.withToken(null, PROJECT_A).get("/backups");
        assertEquals(401, none.status());
        assertNotNull(none.header("WWW-Authenticate"));
        assertEquals(401, memberA.withToken("tok-unknown", PROJECT_A).get("/backups").status());
        // A member's token used on another project's URL.
        assertEquals(400, memberB.withToken("tok-member-b", PROJECT_A).get("/backups").status());

        assertEquals(202, memberA.delete("/backups/" + id).status());
        memberA.awaitBackup(id, b -> b == null);
    }
}
