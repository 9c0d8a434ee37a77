package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Force-deleting a chunked backup while its objects are being written leaves none of them: the
 * writer sees the backup is no longer creating and removes what it wrote, the delete removes the
 * rest, and the backup is gone. On the posix driver (4 MiB objects), the real database.
 */
class ForceDeleteWhileWritingTest {

    @Test
    void forceDeleteDuringWriteLeavesNoObjects() throws Exception {
        EmberServer server = EmberServer.shared();
        Api api = server.api.newProject();
        String vol = api.createVolume(1);
        for (int i = 0; i < 48; i++) {
            VolumeData.write(server.volumeFile(vol), (long) i << 22, 4 << 20, 900 + i);
        }
        String id = api.createBackup(vol, false);
        Path backupDir = server.stateDir.resolve("backup");
        // Wait until its first object is on disk, then force-delete it mid-write.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (objectsOf(backupDir, id) == 0) {
            assertTrue(System.nanoTime() < deadline, "no object of backup " + id + " appeared");
            Thread.sleep(20);
        }
        var r = api.post("/backups/" + id + "/action", "{\"os-force_delete\": {}}");
        assertEquals(202, r.status(), r.text());
        api.awaitBackup(id, b -> b == null, java.time.Duration.ofSeconds(120));
        api.awaitVolumeStatus(vol, "available");
        // Nothing of it is left, and nothing appears afterwards.
        assertEquals(0, objectsOf(backupDir, id), "objects of the deleted backup");
        Thread.sleep(2000);
        assertEquals(0, objectsOf(backupDir, id), "objects written after the delete");
        assertNull(api.backup(id));
        assertEquals("1", TestDatabase.queryString("SELECT deleted FROM backups WHERE id = ?", id));
    }

    /** Files anywhere under the backup directory whose name carries the backup id. */
    private static long objectsOf(Path dir, String backupId) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().contains(backupId)).count();
        }
    }
}
