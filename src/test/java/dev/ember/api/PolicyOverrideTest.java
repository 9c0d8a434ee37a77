package dev.ember.api;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An operator's policy.yaml (oslo.policy format) overrides the backup rules through the API. */
class PolicyOverrideTest {

    @Test
    void policyFileIsHonoured() throws Exception {
        EmberServer.shared();
        Path state = Files.createTempDirectory("ember-policy");
        Path policy = state.resolve("policy.yaml");
        Files.writeString(policy, "# nobody deletes backups here\n\"backup:delete\": \"!\"\n");
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
        } finally {
            server.ember.close();
        }
    }
}
