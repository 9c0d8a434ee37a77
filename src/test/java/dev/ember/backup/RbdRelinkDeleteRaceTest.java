package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.LocalCeph;
import dev.ember.testing.VolumeAccess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * On the Ceph driver a backup learns its parent only when its copy ends (the owner of the source
 * snapshot it diffs from, the seed lab's rule), after the API accepted a delete of that owner
 * which counted no children. The new backup ends available and restores exactly; when the driver
 * linked it to the owner (the order this test sets up: the delete is sent once the copy has
 * started), the owner's delete ends aborted with the owner available and restoring exactly, so
 * no backup names a deleted parent. On the local one-node cluster, with a copy made long enough
 * (256 MiB changed) to delete during it.
 */
class RbdRelinkDeleteRaceTest {

    @Test
    void deletingTheFromSnapshotOwnerDuringABackupKeepsTheChainRestorable() throws Exception {
        Path conf = LocalCeph.conf();
        EmberServer.shared();
        EmberServer server = EmberServer.start(EmberServer.withCeph(
                EmberServer.baseConfig(Files.createTempDirectory("ember-relink"))
                        .with("DEFAULT", "host", "relink-" + UUID.randomUUID().toString().substring(0, 8)),
                conf));
        try (VolumeAccess volumes = VolumeAccess.rbd(conf, "cinder", "volumes")) {
            Api api = server.api.newProject();
            String vol = api.createVolume(1);
            Random rnd = new Random(5);
            byte[] block = new byte[4 << 20];
            rnd.nextBytes(block);
            volumes.write(vol, 0, block);
            String owner = api.createBackup(vol, false);
            api.awaitBackupStatus(owner, "available");
            api.awaitVolumeStatus(vol, "available");
            String ownerSum = volumes.sha256(vol);

            for (int i = 0; i < 64; i++) {
                rnd.nextBytes(block);
                volumes.write(vol, (long) i * block.length, block);
            }
            String newSum = volumes.sha256(vol);
            String running = api.createBackup(vol, false);
            // The manager has taken the backup (it records the driver first, then copies under the
            // volume's lock): the delete below then arrives while the copy runs.
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (dev.ember.testing.TestDatabase.queryString("SELECT service FROM backups WHERE id = ?", running) == null) {
                org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() < deadline, "the backup never started");
                Thread.sleep(20);
            }
            var del = api.delete("/backups/" + owner);
            assertEquals(202, del.status(), "the API sees no child yet: " + del.text());

            var done = api.awaitBackup(running, b -> b != null && !"creating".equals(b.getString("status")),
                    java.time.Duration.ofSeconds(180));
            assertEquals("available", done.getString("status"), done.getString("fail_reason"));
            var ownerAfter = api.awaitBackup(owner, b -> b == null || !"deleting".equals(b.getString("status")),
                    java.time.Duration.ofSeconds(180));
            String parent = dev.ember.testing.TestDatabase.queryString("SELECT parent_id FROM backups WHERE id = ?", running);
            System.out.println("RbdRelinkDeleteRaceTest: the driver linked the backup to " + parent);
            if (parent != null) {
                // The driver linked it: the owner must have survived its delete.
                assertNotNull(ownerAfter, "the parent " + parent + " of " + running + " was deleted");
                assertEquals(owner, parent);
                assertEquals("available", ownerAfter.getString("status"));
                assertEquals("Delete aborted: incremental backups exist for this backup.", ownerAfter.getString("fail_reason"));
                assertEquals(ownerSum, restoredSum(api, volumes, owner));
            }
            assertEquals(newSum, restoredSum(api, volumes, running));
        } finally {
            server.ember.close();
        }
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
