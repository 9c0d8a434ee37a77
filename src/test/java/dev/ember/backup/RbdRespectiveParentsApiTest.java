package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.LocalCeph;
import dev.ember.testing.VolumeAccess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cinder-tempest-plugin's {@code test_incremental_backup_respective_parents} through Ember's API,
 * manager and Ceph driver (default single-base layout), with the data checked: on one RBD
 * volume of project A, a full by project B (an admin elsewhere), a full by A, an incremental by
 * B and one by A. Each full gets exactly its own project's incremental as a dependent (the
 * plugin's assertions on {@code has_dependent_backups}), each incremental names its own
 * project's full, and every backup restores to the SHA-256 the volume had when it was taken.
 */
class RbdRespectiveParentsApiTest {

    @Test
    void twoProjectsKeepTheirOwnChainsOnOneVolume() throws Exception {
        Path conf = LocalCeph.conf();
        EmberServer.shared();
        EmberServer server = EmberServer.start(EmberServer.withCeph(
                EmberServer.baseConfig(Files.createTempDirectory("ember-parents"))
                        .with("DEFAULT", "host", "parents-" + UUID.randomUUID().toString().substring(0, 8)),
                conf));
        try (VolumeAccess volumes = VolumeAccess.rbd(conf, "cinder", "volumes")) {
            Api user = server.api.newProject();
            Api admin = server.api.newProject();
            String vol = user.createVolume(1);
            Random rnd = new Random(11);
            byte[] block = new byte[1 << 20];
            Map<String, String> sumAt = new LinkedHashMap<>();

            String adm = backup(admin, vol, false, volumes, rnd, block, sumAt, 0);
            String usr = backup(user, vol, false, volumes, rnd, block, sumAt, 1);
            assertFalse(admin.backup(adm).getBoolean("has_dependent_backups"));
            assertFalse(user.backup(usr).getBoolean("is_incremental"), "the user's full stays a full");

            String admI = backup(admin, vol, true, volumes, rnd, block, sumAt, 2);
            assertFalse(user.backup(usr).getBoolean("has_dependent_backups"));
            assertTrue(admin.backup(adm).getBoolean("has_dependent_backups"));

            String usrI = backup(user, vol, true, volumes, rnd, block, sumAt, 3);
            assertTrue(user.backup(usr).getBoolean("has_dependent_backups"));

            assertEquals(adm, parentOf(admI));
            assertEquals(usr, parentOf(usrI));
            for (Map.Entry<String, String> e : sumAt.entrySet()) {
                Api owner = e.getKey().equals(adm) || e.getKey().equals(admI) ? admin : user;
                assertEquals(e.getValue(), restoredSum(owner, volumes, e.getKey()), "restore of " + e.getKey());
            }
            // Delete from the top, as tempest's clean-up does.
            for (String id : new String[] {usrI, admI, usr, adm}) {
                Api owner = id.equals(adm) || id.equals(admI) ? admin : user;
                assertEquals(202, owner.delete("/backups/" + id).status());
                owner.awaitBackup(id, b -> b == null, java.time.Duration.ofSeconds(180));
            }
            user.delete("/volumes/" + vol);
        } finally {
            server.ember.close();
        }
    }

    private static String backup(Api api, String vol, boolean incremental, VolumeAccess volumes, Random rnd,
                                 byte[] block, Map<String, String> sumAt, int step) throws Exception {
        rnd.nextBytes(block);
        volumes.write(vol, (long) (step * 3 + 1) << 20, block); // each step writes a region of its own
        rnd.nextBytes(block);
        volumes.write(vol, 0, block);                           // and overwrites the first one
        String sum = volumes.sha256(vol);
        String id = api.createBackup(vol, incremental);
        JsonObject done = api.awaitBackup(id, b -> b != null && !"creating".equals(b.getString("status")),
                java.time.Duration.ofSeconds(180));
        assertEquals("available", done.getString("status"), done.toString());
        api.awaitVolumeStatus(vol, "available");
        sumAt.put(id, sum);
        return id;
    }

    private static String parentOf(String id) throws Exception {
        return dev.ember.testing.TestDatabase.queryString("SELECT parent_id FROM backups WHERE id = ?", id);
    }

    private static String restoredSum(Api api, VolumeAccess volumes, String backup) throws Exception {
        var r = api.post("/backups/" + backup + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        String target = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        String sum = volumes.sha256(target);
        api.delete("/volumes/" + target);
        return sum;
    }
}
