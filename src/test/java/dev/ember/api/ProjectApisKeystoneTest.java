package dev.ember.api;

import dev.ember.config.Config;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.RealKeystone;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #11's routes under cinder's default policies with Debian's real Keystone: the quota,
 * quota-class, limits, volume-type and transfer routes as an admin, a member and a reader see
 * them (the differential test's noauth caller is always an admin), and a transfer moving a volume
 * and its quota usage from project A to project B.
 */
class ProjectApisKeystoneTest {

    static RealKeystone ks;
    static EmberServer server;
    static String projectA;
    static String projectB;
    static Api adminA;
    static Api memberA;
    static Api readerA;
    static Api memberB;

    @BeforeAll
    static void start() throws Exception {
        ks = RealKeystone.get();
        projectA = ks.projectId("a");
        projectB = ks.projectId("b");
        Config cfg = ks.withAuthToken(EmberServer.baseConfig(Files.createTempDirectory("ember-ks-projapis"))
                .with("DEFAULT", "host", "ember-projapis-test"));
        EmberServer.shared();
        server = EmberServer.start(cfg);
        Api base = new Api("http://127.0.0.1:" + server.ember.port());
        adminA = base.withToken(ks.token("a-admin"), projectA);
        memberA = base.withToken(ks.token("a-member"), projectA);
        readerA = base.withToken(ks.token("a-reader"), projectA);
        memberB = base.withToken(ks.token("b-member"), projectB);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.ember.close();
        }
    }

    private static String forbidden(Api.Resp r) {
        assertEquals(403, r.status(), r.text());
        return r.json().getJsonObject("forbidden").getString("message");
    }

    @Test
    void quotaRoutesFollowCindersDefaultPolicies() {
        // show: the project's reader and member, not another project's member; update, delete and
        // the quota classes: admins only.
        assertEquals(200, readerA.get("/os-quota-sets/" + projectA + "?usage=true").status());
        assertEquals(200, memberA.get("/os-quota-sets/" + projectA + "/defaults").status());
        assertEquals("Policy doesn't allow volume_extension:quotas:show to be performed.",
                forbidden(memberB.get("/os-quota-sets/" + projectA)));
        assertEquals("Policy doesn't allow volume_extension:quotas:update to be performed.",
                forbidden(memberA.put("/os-quota-sets/" + projectA, "{\"quota_set\": {\"volumes\": 20}}")));
        assertEquals("Policy doesn't allow volume_extension:quotas:delete to be performed.",
                forbidden(memberA.delete("/os-quota-sets/" + projectA)));
        assertEquals("Policy doesn't allow volume_extension:quota_classes:get to be performed.",
                forbidden(readerA.get("/os-quota-class-sets/default")));
        // A bad body is refused before the policy (cinder validates the schema first).
        assertEquals(400, memberA.put("/os-quota-sets/" + projectA, "{\"quota_set\": {\"volumes\": \"x\"}}").status());

        Api.Resp put = adminA.put("/os-quota-sets/" + projectB, "{\"quota_set\": {\"snapshots\": 17}}");
        assertEquals(200, put.status(), put.text());
        assertEquals(17, put.json().getJsonObject("quota_set").getInteger("snapshots"));
        assertEquals(17, adminA.get("/os-quota-sets/" + projectB).json().getJsonObject("quota_set")
                .getInteger("snapshots"));
        assertEquals(200, adminA.delete("/os-quota-sets/" + projectB).status());
        assertEquals(10, adminA.get("/os-quota-sets/" + projectB).json().getJsonObject("quota_set")
                .getInteger("snapshots"));

        // limits: a reader sees the used counts of its project.
        JsonObject abs = readerA.get("/limits").json().getJsonObject("limits").getJsonObject("absolute");
        assertTrue(abs.containsKey("totalBackupsUsed") && abs.containsKey("maxTotalVolumes"), abs.encode());
    }

    @Test
    void volumeTypesAreReadByAllAndManagedByAdmins() {
        JsonObject dflt = readerA.get("/types/default").json().getJsonObject("volume_type");
        assertEquals("__DEFAULT__", dflt.getString("name"));
        // A reader sees no QoS id and only the user-visible extra specs.
        assertFalse(dflt.containsKey("qos_specs_id"), dflt.encode());
        assertEquals("Policy doesn't allow volume_extension:type_create to be performed.",
                forbidden(memberA.post("/types", "{\"volume_type\": {\"name\": \"ks-type\"}}")));
        Api.Resp created = adminA.post("/types", "{\"volume_type\": {\"name\": \"ks-type-"
                + System.nanoTime() + "\", \"extra_specs\": {\"multiattach\": \"<is> True\", \"secret\": \"s\"}}}");
        assertEquals(200, created.status(), created.text());
        String id = created.json().getJsonObject("volume_type").getString("id");
        JsonObject asReader = readerA.get("/types/" + id).json().getJsonObject("volume_type");
        assertEquals(new JsonObject().put("multiattach", "<is> True"), asReader.getJsonObject("extra_specs"));
        assertTrue(adminA.get("/os-quota-sets/" + projectA).json().getJsonObject("quota_set")
                .containsKey("volumes_" + asReader.getString("name")));
        assertEquals(403, memberA.delete("/types/" + id).status());
        assertEquals(202, adminA.delete("/types/" + id).status());
        assertEquals(404, readerA.get("/types/" + id).status());
    }

    @Test
    void aTransferMovesTheVolumeAndItsUsage() {
        String vol = memberA.createVolume(1);
        memberA.awaitVolumeStatus(vol, "available");
        int usedA = inUse(adminA, projectA, "volumes");
        int usedB = inUse(adminA, projectB, "gigabytes");

        assertEquals("Policy doesn't allow volume:create_transfer to be performed.",
                forbidden(readerA.post("/os-volume-transfer", "{\"transfer\": {\"volume_id\": \"" + vol + "\"}}")));
        Api.Resp created = memberA.post("/os-volume-transfer", "{\"transfer\": {\"volume_id\": \"" + vol + "\"}}");
        assertEquals(202, created.status(), created.text());
        String id = created.json().getJsonObject("transfer").getString("id");
        String key = created.json().getJsonObject("transfer").getString("auth_key");
        assertEquals("awaiting-transfer", memberA.volume(vol).getString("status"));
        // Project B does not list A's transfer, and a wrong key is refused.
        assertFalse(memberB.get("/os-volume-transfer").text().contains(id));
        assertEquals(400, memberB.post("/os-volume-transfer/" + id + "/accept",
                "{\"accept\": {\"auth_key\": \"wrong\"}}").status());

        Api.Resp accepted = memberB.post("/os-volume-transfer/" + id + "/accept",
                "{\"accept\": {\"auth_key\": \"" + key + "\"}}");
        assertEquals(202, accepted.status(), accepted.text());
        assertEquals("available", memberB.volume(vol).getString("status"));
        assertEquals(404, memberA.get("/volumes/" + vol).status());
        assertEquals(usedA - 1, inUse(adminA, projectA, "volumes"));
        assertEquals(usedB + 1, inUse(adminA, projectB, "gigabytes"));
        assertEquals(404, memberA.get("/os-volume-transfer/" + id).status());
        assertEquals(202, memberB.delete("/volumes/" + vol).status());
    }

    private static int inUse(Api admin, String project, String resource) {
        return admin.get("/os-quota-sets/" + project + "?usage=true").json().getJsonObject("quota_set")
                .getJsonObject(resource).getInteger("in_use");
    }
}
