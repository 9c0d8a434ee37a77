package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberProcess;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Ember workers on one broker share 20 backups; one is killed with SIGKILL mid-way. Once the
 * survivor has worked and the killed one has restarted: no backup is stuck (each is available or in
 * error), only the killed worker's backups may be in error and they are deletable, every backup the
 * survivor worked on is available, every available backup restores bit-identically to its volume,
 * and no volume is left in a transitional state. How the work was split between the two depends on
 * the schedule and is not asserted.
 */
class WorkerKillTest {

    final List<EmberProcess> workers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (EmberProcess w : workers) {
            w.close();
        }
    }

    @Test
    void killingOneWorkerLeavesNothingStuck() throws Exception {
        if (System.getenv("EMBER_TEST_RABBIT_REQUIRED") == null) {
            try (Socket s = new Socket("127.0.0.1", 5672)) {
                // broker present
            } catch (Exception e) {
                Assumptions.abort("no RabbitMQ on 127.0.0.1:5672");
            }
        }
        Path state = Files.createTempDirectory("ember-kill");
        String zone = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> rpc = List.of("transport_url = rabbit://guest:guest@127.0.0.1:5672/",
                "control_exchange = ember-kill-" + zone, "storage_availability_zone = " + zone,
                "backup_max_operations = 2");
        EmberProcess a = new EmberProcess(state, "kill-a-" + zone, rpc);
        EmberProcess b = new EmberProcess(state, "kill-b-" + zone, rpc);
        workers.add(a);
        workers.add(b);
        a.start();
        b.start();

        Api api = a.api.newProject();
        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backups', -1)", api.project);
        List<String> backups = new ArrayList<>();
        java.util.Map<String, String> sumOf = new java.util.HashMap<>();
        for (int i = 0; i < 20; i++) {
            String vol = api.createVolume(1);
            VolumeData.write(a.volumeFile(vol), 0, 4 << 20, i);
            String id = api.createBackup(vol, false);
            backups.add(id);
            sumOf.put(id, VolumeData.sha256(a.volumeFile(vol)));
            if (i == 9) {
                b.kill();
            }
        }
        // The survivor works through what it was given; the other comes back.
        Thread.sleep(2000);
        b.start();
        java.util.Map<String, String> ownerOf = new java.util.HashMap<>();
        for (String id : backups) {
            var done = api.awaitBackup(id, x -> x != null && Set.of("available", "error").contains(x.getString("status")));
            // The host that worked on it (a delete below may move the row to another host).
            ownerOf.put(id, TestDatabase.queryString("SELECT host FROM backups WHERE id = ?", id));
            if ("error".equals(done.getString("status"))) {
                assertEquals("kill-b-" + zone, ownerOf.get(id), "only the killed host's backups may fail: "
                        + done.getString("fail_reason"));
                assertEquals(202, api.delete("/backups/" + id).status(), "an errored backup is deletable");
                api.awaitBackup(id, x -> x == null);
            }
        }
        // What the survivor worked on is available; what the killed host held ended in a defined
        // state (cinder's rule: its unfinished creates are errors after its restart).
        for (String id : backups) {
            if (("kill-a-" + zone).equals(ownerOf.get(id))) {
                assertEquals("available", api.backup(id).getString("status"), "backup " + id + " of the survivor");
            }
        }
        // Every backup still there is available and restores the data it was taken from.
        for (String id : backups) {
            var left = api.backup(id);
            if (left == null) {
                continue;
            }
            assertEquals("available", left.getString("status"));
            var r = api.post("/backups/" + id + "/restore", "{\"restore\": {}}");
            assertEquals(202, r.status(), r.text());
            String target = r.json().getJsonObject("restore").getString("volume_id");
            api.awaitVolumeStatus(target, "available");
            api.awaitBackupStatus(id, "available");
            assertEquals(sumOf.get(id), VolumeData.sha256(a.volumeFile(target)), "restore of backup " + id);
            assertEquals(202, api.delete("/volumes/" + target).status());
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (api.volume(target) != null) {
                assertTrue(System.nanoTime() < deadline, "restore target " + target + " not deleted");
                Thread.sleep(100);
            }
        }
        // No volume left backing-up.
        assertEquals("0", TestDatabase.queryString("SELECT COUNT(*) FROM volumes WHERE project_id = ? AND status <> 'available' "
                + "AND deleted = 0", api.project));
    }
}
