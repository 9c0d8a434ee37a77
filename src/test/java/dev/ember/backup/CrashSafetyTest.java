package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberProcess;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeData;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety on the posix driver: Ember runs as a child process and is killed with SIGKILL at
 * random points of backups, incrementals, restores and deletes, then restarted. After every
 * restart: nothing is stuck in a transitional state, no volume is left backing-up or restoring,
 * and no object in the store belongs to no live backup; at the end every available backup
 * restores bit-identically to the data it was taken from.
 */
class CrashSafetyTest {

    static final int KILLS = Integer.getInteger("ember.crash.kills", 30);

    EmberProcess ember;
    Path state;
    String host = "crash-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void stop() throws InterruptedException {
        if (ember != null) {
            ember.close();
        }
    }

    @Test
    void killedAtRandomPointsNothingIsLostOrLeaked() throws Exception {
        long seed = Long.getLong("ember.crash.seed", System.nanoTime());
        System.out.println("CrashSafetyTest seed " + seed);
        Random rnd = new Random(seed);
        state = Files.createTempDirectory("ember-crash");
        ember = new EmberProcess(state, host, List.of());
        ember.start();
        Api api = ember.api.newProject();
        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backups', -1)", api.project);
        String vol = api.createVolume(1);
        Path file = state.resolve("volumes").resolve("volume-" + vol);
        Map<String, String> dataOf = new HashMap<>();
        int kills = 0;
        int round = 0;
        while (kills < KILLS) {
            round++;
            VolumeData.write(file, (long) rnd.nextInt(1000) << 20, 1 << 20, rnd.nextLong());
            String sum = VolumeData.sha256(file);
            List<String> available = availableBackups(api, vol);
            int op = rnd.nextInt(4);
            String target = null;
            String id;
            if (op == 0 || available.isEmpty()) {
                id = api.createBackup(vol, false);
                dataOf.put(id, sum);
            } else if (op == 1) {
                var r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"incremental\": true}}");
                if (r.status() == 400) {
                    // The newest backup is the one a kill left in error: cinder refuses, take a full.
                    assertEquals("Invalid backup: The parent backup must be available for incremental backup.",
                            r.json().getJsonObject("badRequest").getString("message"));
                    id = api.createBackup(vol, false);
                } else {
                    assertEquals(202, r.status(), r.text());
                    id = r.json().getJsonObject("backup").getString("id");
                }
                dataOf.put(id, sum);
            } else if (op == 2) {
                id = available.get(rnd.nextInt(available.size()));
                var r = api.post("/backups/" + id + "/restore", "{\"restore\": {}}");
                assertEquals(202, r.status(), r.text());
                target = r.json().getJsonObject("restore").getString("volume_id");
            } else {
                id = deletableTop(available);
                if (id == null) {
                    id = api.createBackup(vol, false);
                    dataOf.put(id, sum);
                } else {
                    var r = api.delete("/backups/" + id);
                    assertEquals(202, r.status(), r.text());
                }
            }
            Thread.sleep(rnd.nextInt(1500));
            ember.kill();
            kills++;
            ember.start();
            checkInvariants(api, vol);
            if (target != null) {
                api.delete("/volumes/" + target);
            }
        }
        // Let any work that survived finish, then every available backup must restore exactly.
        for (String id : availableBackups(api, vol)) {
            var r = api.post("/backups/" + id + "/restore", "{\"restore\": {}}");
            assertEquals(202, r.status(), r.text());
            String target = r.json().getJsonObject("restore").getString("volume_id");
            api.awaitVolumeStatus(target, "available");
            api.awaitBackupStatus(id, "available");
            assertEquals(dataOf.get(id), VolumeData.sha256(state.resolve("volumes").resolve("volume-" + target)),
                    "backup " + id + " restores the data it was taken from");
            api.delete("/volumes/" + target);
        }
        System.out.println("CrashSafetyTest: " + kills + " kills over " + round + " rounds");
    }

    private List<String> availableBackups(Api api, String vol) {
        List<String> out = new ArrayList<>();
        var list = api.get("/backups/detail?volume_id=" + vol).json().getJsonArray("backups");
        for (int i = 0; i < list.size(); i++) {
            JsonObject b = list.getJsonObject(i);
            if ("available".equals(b.getString("status"))) {
                out.add(b.getString("id"));
            }
        }
        return out;
    }

    /** An available backup no live backup depends on (delete-from-top), or null. */
    private static String deletableTop(List<String> available) throws Exception {
        for (String id : available) {
            if ("0".equals(TestDatabase.queryString("SELECT COUNT(*) FROM backups WHERE parent_id = ? AND deleted = 0", id))) {
                return id;
            }
        }
        return null;
    }

    private void checkInvariants(Api api, String vol) throws Exception {
        // Work still in flight after the restart (none should be: the startup cleanup settles it).
        Set<String> liveMeta = new HashSet<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, status, service_metadata FROM backups WHERE deleted = 0 AND host = '"
                     + host + "'")) {
            while (rs.next()) {
                String status = rs.getString(2);
                assertTrue(Set.of("available", "error").contains(status) || isSettling(api, rs.getString(1)),
                        "backup " + rs.getString(1) + " stuck in " + status);
                if (rs.getString(3) != null) {
                    liveMeta.add(rs.getString(3));
                }
            }
        }
        String volStatus = TestDatabase.queryString("SELECT status FROM volumes WHERE id = ?", vol);
        assertTrue(Set.of("available", "backing-up").contains(volStatus), "volume " + vol + " in " + volStatus);
        if ("backing-up".equals(volStatus)) {
            // Only while a backup is genuinely running again after restart: wait it out.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!"available".equals(TestDatabase.queryString("SELECT status FROM volumes WHERE id = ?", vol))) {
                assertTrue(System.nanoTime() < deadline, "volume stuck backing-up");
                Thread.sleep(100);
            }
        }
        // No orphan objects: every object file belongs to a live backup's prefix.
        if (!Files.isDirectory(state.resolve("backup"))) {
            return; // killed before the first object was ever written
        }
        try (Stream<Path> files = Files.walk(state.resolve("backup"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // a temporary file of an interrupted write is not an object
                }
                assertTrue(liveMeta.stream().anyMatch(name::startsWith), "orphan object " + name);
            }
        }
    }

    /** A backup in a transitional state is fine only if it reaches a final one soon (work resumed). */
    private boolean isSettling(Api api, String id) {
        try {
            api.awaitBackup(id, b -> b == null || Set.of("available", "error").contains(b.getString("status")));
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }
}
