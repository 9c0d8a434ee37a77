package dev.ember.backup;

import dev.ember.config.Config;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Ember processes on one RabbitMQ: the API of one casts over the broker, both hosts take
 * work, every backup ends available and restores. The hosts share the posix backup directory and
 * the volume files, as two cinder-backup hosts share their storage.
 */
class ScaleOutOverBrokerTest {

    static EmberServer first;
    static EmberServer second;

    static boolean brokerUp() {
        try (Socket s = new Socket("127.0.0.1", 5672)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("EMBER_TEST_RABBIT_REQUIRED") == null) {
            Assumptions.assumeTrue(brokerUp(), "no RabbitMQ on 127.0.0.1:5672");
        }
        EmberServer.shared();
        Path shared = Files.createTempDirectory("ember-scale");
        // A zone and an exchange of their own, so no other host in the test database is picked.
        String zone = "zone-" + UUID.randomUUID().toString().substring(0, 8);
        String exchange = "ember-test-" + UUID.randomUUID().toString().substring(0, 8);
        first = EmberServer.start(config(shared, "scale-a", zone, exchange));
        second = EmberServer.start(config(shared, "scale-b", zone, exchange));
    }

    static Config config(Path shared, String host, String zone, String exchange) {
        return EmberServer.baseConfig(shared)
                .with("DEFAULT", "host", host)
                .with("DEFAULT", "storage_availability_zone", zone)
                .with("DEFAULT", "transport_url", "rabbit://guest:guest@127.0.0.1:5672/")
                .with("DEFAULT", "control_exchange", exchange)
                .with("DEFAULT", "backup_max_operations", "2");
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.ember.close();
        }
        if (first != null) {
            first.ember.close();
        }
    }

    @Test
    void twentyBackupsShareTwoHosts() throws Exception {
        Api api = first.api.newProject();
        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backups', 100)", api.project);
        List<String> volumes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String v = api.createVolume(1);
            VolumeData.write(first.volumeFile(v), i * 4096L, 1 << 20, i);
            volumes.add(v);
        }
        List<String> backups = new ArrayList<>();
        // Fulls are placed on a live host at random; a posix incremental goes to its parent's host
        // (cinder's rule). Three rounds of fulls (15 placements) give both hosts work unless chance
        // is 1 in 16,000 against it; the last round is incremental.
        for (int round = 0; round < 4; round++) {
            List<String> thisRound = new ArrayList<>();
            for (String v : volumes) {
                thisRound.add(api.createBackup(v, round == 3));
            }
            for (String b : thisRound) {
                api.awaitBackupStatus(b, "available");
            }
            backups.addAll(thisRound);
        }
        Map<String, Integer> perHost = new HashMap<>();
        for (String b : backups) {
            perHost.merge(TestDatabase.queryString("SELECT host FROM backups WHERE id = ?", b), 1, Integer::sum);
        }
        assertEquals(20, perHost.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(perHost.keySet().containsAll(List.of("scale-a", "scale-b")), "both hosts took work: " + perHost);
        for (String b : backups.subList(15, 20)) {
            assertEquals(TestDatabase.queryString("SELECT p.host FROM backups c JOIN backups p ON p.id = c.parent_id "
                    + "WHERE c.id = ?", b), TestDatabase.queryString("SELECT host FROM backups WHERE id = ?", b),
                    "incremental " + b + " ran on its parent's host");
        }

        // An export is a call over the broker to the backup's host.
        assertEquals(200, api.get("/backups/" + backups.get(backups.size() - 1) + "/export_record").status());
        // Restore of the last incremental through the broker, bit-identical to the source.
        String last = backups.get(backups.size() - 1);
        var r = api.post("/backups/" + last + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        String target = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        String source = api.backup(last).getString("volume_id");
        assertEquals(VolumeData.sha256(first.volumeFile(source)),
                VolumeData.sha256(first.volumeFile(target)));
    }
}
