package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.VolumeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The posix target fills up: the backup ends in {@code error} with a reason an operator
 * understands, and no partial object is left behind as if it were data.
 */
class DiskFullTest {

    static Path mount;
    static EmberServer server;

    @BeforeAll
    static void start() throws Exception {
        mount = Files.createTempDirectory("ember-full");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=10m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(p.waitFor() == 0, "cannot mount a small tmpfs here (needs root)");
        Path state = Files.createTempDirectory("ember-full-state");
        server = EmberServer.start(EmberServer.baseConfig(state)
                .with("DEFAULT", "host", "disk-full-test")
                .with("DEFAULT", "backup_posix_path", mount.toString())
                // Full backups cover every byte (zeros too): zlib keeps the zero chunks of the 1 GiB volume tiny,
                // so the first backup (its 2.3 MiB sha256file, 2 MiB of data, one small object per chunk) fits the
                // 10 MiB disk and the second (16 MiB more of random data) cannot.
                .with("DEFAULT", "backup_compression_algorithm", "zlib"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.ember.close();
        }
        if (mount != null) {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void fullTargetFailsCleanly() throws Exception {
        Api api = server.api.newProject();
        String vol = api.createVolume(1);
        VolumeData.write(server.volumeFile(vol), 0, 2 << 20, 1);
        String small = api.createBackup(vol, false);
        api.awaitBackupStatus(small, "available");

        VolumeData.write(server.volumeFile(vol), 4 << 20, 16 << 20, 2);
        String big = api.createBackup(vol, false);
        var b = api.awaitBackupStatus(big, "error");
        String reason = b.getString("fail_reason");
        assertTrue(reason != null && reason.toLowerCase().contains("space"), "fail_reason: " + reason);
        assertEquals("available", api.volume(vol).getString("status"));
        try (Stream<Path> files = Files.walk(mount)) {
            assertTrue(files.filter(Files::isRegularFile).noneMatch(f -> f.getFileName().toString().contains(big)),
                    "objects of the failed backup remain");
        }
        // The earlier backup is intact and the failed one can be deleted.
        var r = api.post("/backups/" + small + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        api.awaitBackupStatus(small, "available");
        assertEquals(202, api.delete("/backups/" + big).status());
        api.awaitBackup(big, x -> x == null);
    }
}
