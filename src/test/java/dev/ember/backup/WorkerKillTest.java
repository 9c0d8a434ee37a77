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
 * survivor has worked and the killed one has restarted, no backup is stuck: each is available or
 * in error (and then deletable), and every available one restores.
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
        for (int i = 0; i < 20; i++) {
            String vol = api.createVolume(1);
            VolumeData.write(a.volumeFile(vol), 0, 4 << 20, i);
            backups.add(api.createBackup(vol, false));
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
        // Everything the survivor was given is available; what the killed host held ended in a
        // defined state (cinder's rule: its unfinished creates are errors after its restart).
        for (String id : backups) {
            var b2 = api.backup(id);
            if (b2 != null) {
                assertEquals("available", b2.getString("status"));
            }
        }
        assertTrue(ownerOf.values().stream().filter(("kill-a-" + zone)::equals).count() >= 5,
                "the survivor took its share: " + ownerOf.values());
        String hostsWithWork = TestDatabase.queryString("SELECT COUNT(DISTINCT host) FROM backups WHERE project_id = ?",
                api.project);
        assertEquals("2", hostsWithWork);
        // No volume left backing-up.
        assertEquals("0", TestDatabase.queryString("SELECT COUNT(*) FROM volumes WHERE project_id = ? AND status <> 'available' "
                + "AND deleted = 0", api.project));
    }
}
