package dev.ember.api;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An operator's policy.yaml (oslo.policy format) overrides the backup rules, and the volume,
 * snapshot and attachment rules of the embedded volume service, through the API.
 */
class PolicyOverrideTest {

    @Test
    void policyFileIsHonoured() throws Exception {
        EmberServer.shared();
        Path state = Files.createTempDirectory("ember-policy");
        Path policy = state.resolve("policy.yaml");
        Files.writeString(policy, "# nobody deletes backups here\n\"backup:delete\": \"!\"\n"
                + "\"volume:delete\": \"!\"\n\"volume:extend\": \"!\"\n\"volume:delete_snapshot\": \"!\"\n"
                + "\"volume:attachment_create\": \"!\"\n");
        EmberServer server = EmberServer.start(EmberServer.baseConfig(state)
                .with("DEFAULT", "host", "policy-test")
                .with("oslo_policy", "policy_file", policy.toString()));
        try {
            Api api = server.api.newProject();
            String vol = api.createVolume(1);
            String id = api.createBackup(vol, false);
            api.awaitBackupStatus(id, "available");
            Api.Resp r = api.delete("/backups/" + id);
            assertEquals(403, r.status(), r.text());
            assertEquals("Policy doesn't allow backup:delete to be performed.",
                    r.json().getJsonObject("forbidden").getString("message"));
            assertEquals(200, api.get("/backups/" + id).status());

            // The volume service's routes: even noauth's admin is refused by a "!" rule.
            for (String[] call : new String[][] {
                    {"DELETE", "/volumes/" + vol, null, "3.0", "volume:delete"},
                    {"POST", "/volumes/" + vol + "/action", "{\"os-extend\": {\"new_size\": 2}}", "3.0", "volume:extend"},
                    {"POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + vol + "\"}}", "3.27",
                            "volume:attachment_create"}}) {
                r = api.call(call[0], call[1], call[2], call[3]);
                assertEquals(403, r.status(), call[1] + ": " + r.text());
                assertEquals("Policy doesn't allow " + call[4] + " to be performed.",
                        r.json().getJsonObject("forbidden").getString("message"));
            }
            r = api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol + "\"}}");
            if (r.status() == 202) { // backends without snapshots answer 400 before the policy matters
                String snap = r.json().getJsonObject("snapshot").getString("id");
                r = api.delete("/snapshots/" + snap);
                assertEquals(403, r.status(), r.text());
            }
            assertEquals(1, api.volume(vol).getInteger("size"));
        } finally {
            server.ember.close();
        }
    }
}
