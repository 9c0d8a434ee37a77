package dev.ember.backup;

import dev.ember.config.Config;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two backup hosts on one broker, each with a backup_posix_path of its own (local disks, as
 * cinder allows): every incremental runs on its parent's host, where the parent's sha256file is,
 * so a chain of incrementals all become available, on one host, and the top restores exactly.
 */
class PosixIncrementalHostTest {

    static EmberServer first;
    static EmberServer second;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("EMBER_TEST_RABBIT_REQUIRED") == null) {
            org.junit.jupiter.api.Assumptions.assumeTrue(ScaleOutOverBrokerTest.brokerUp(), "no RabbitMQ on 127.0.0.1:5672");
        }
        EmberServer.shared();
        Path shared = Files.createTempDirectory("ember-posix-hosts");
        String zone = "zone-" + UUID.randomUUID().toString().substring(0, 8);
        String exchange = "ember-test-" + UUID.randomUUID().toString().substring(0, 8);
        first = EmberServer.start(config(shared, "posix-a-" + zone, zone, exchange));
        second = EmberServer.start(config(shared, "posix-b-" + zone, zone, exchange));
    }

    /** Volumes are shared (both hosts read them), backup directories are not. */
    static Config config(Path shared, String host, String zone, String exchange) {
        return ScaleOutOverBrokerTest.config(shared, host, zone, exchange)
                .with("DEFAULT", "backup_posix_path", shared.resolve("backup-" + host).toString());
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
    void incrementalsRunOnTheParentsHost() throws Exception {
        Api api = first.api.newProject();
        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backups', -1)", api.project);
        String vol = api.createVolume(1);
        VolumeData.write(first.volumeFile(vol), 0, 2 << 20, 1);
        String full = api.createBackup(vol, false);
        api.awaitBackupStatus(full, "available");
        String host = TestDatabase.queryString("SELECT host FROM backups WHERE id = ?", full);
        String top = full;
        for (int i = 0; i < 8; i++) {
            api.awaitVolumeStatus(vol, "available");
            VolumeData.write(first.volumeFile(vol), (long) (i + 1) << 20, 64 << 10, 100 + i);
            top = api.createBackup(vol, true);
            var done = api.awaitBackup(top, b -> b != null && !"creating".equals(b.getString("status")));
            assertEquals("available", done.getString("status"), "incremental " + i + ": " + done.getString("fail_reason"));
            assertEquals(host, TestDatabase.queryString("SELECT host FROM backups WHERE id = ?", top),
                    "incremental " + i + " ran on its parent's host");
        }
        api.awaitVolumeStatus(vol, "available");
        var r = api.post("/backups/" + top + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        String target = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        assertEquals(VolumeData.sha256(first.volumeFile(vol)), VolumeData.sha256(first.volumeFile(target)));
    }
}
