package dev.ember.backup;

import dev.ember.ceph.CephCluster;
import dev.ember.ceph.Pool;
import dev.ember.driver.rbd.ImageNames;
import dev.ember.driver.rbd.SourceSnapshot;
import dev.ember.testing.Api;
import dev.ember.testing.EmberProcess;
import dev.ember.testing.LocalCeph;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeAccess;
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
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety on both drivers: Ember runs as a child process and is killed with SIGKILL at
 * random points of backups, incrementals, restores and deletes, then restarted. After every
 * restart: nothing is stuck in a transitional state, neither the source volume nor a restore's target
 * volume is left backing-up or restoring,
 * nothing in the store belongs to no live backup (posix objects; RBD images, base snapshots and
 * metadata objects), the source keeps at most the one backup snapshot the rotation keeps; at the
 * end every available backup restores bit-identically to the data it was taken from.
 */
class CrashSafetyTest {

    /** Kills on the posix driver. */
    static final int KILLS = Integer.getInteger("ember.crash.kills", 30);
    /**
     * Kills on the Ceph driver: fewer, since after each one librbd waits out the dead process's
     * watch (the dev cluster's osd_client_watch_timeout) before its image locks can be broken.
     */
    static final int CEPH_KILLS = Integer.getInteger("ember.crash.cephKills", 15);

    EmberProcess ember;
    Path state;
    final String host = "crash-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void stop() throws InterruptedException {
        if (ember != null) {
            ember.close();
        }
    }

    /** What differs between the drivers: where volumes live and what the store must look like. */
    interface Store extends AutoCloseable {
        VolumeAccess volumes();

        /** No orphan data: everything stored for {@code vol} belongs to a live backup. */
        void checkNoOrphans(String vol, Set<String> live, Set<String> liveMeta, Set<String> gone) throws Exception;

        @Override
        default void close() throws Exception {
            volumes().close();
        }
    }

    @Test
    void posixDriverOnFileVolumes() throws Exception {
        state = Files.createTempDirectory("ember-crash");
        ember = new EmberProcess(state, host, List.of());
        VolumeAccess files = VolumeAccess.files(state.resolve("volumes"));
        run(KILLS, new Store() {
            public VolumeAccess volumes() {
                return files;
            }

            public void checkNoOrphans(String vol, Set<String> live, Set<String> liveMeta, Set<String> gone)
                    throws Exception {
                if (!Files.isDirectory(state.resolve("backup"))) {
                    return; // killed before the first object was ever written
                }
                try (Stream<Path> stored = Files.walk(state.resolve("backup"))) {
                    for (Path p : stored.filter(Files::isRegularFile).toList()) {
                        // Temporary files (".<object>.tmp-<uuid>") of a killed write count too.
                        String name = p.getFileName().toString();
                        String object = name.startsWith(".") ? name.substring(1) : name;
                        assertTrue(liveMeta.stream().anyMatch(object::startsWith), "orphan file " + name);
                    }
                }
            }
        });
    }

    @Test
    void cephDriverOnRbdVolumes() throws Exception {
        Path conf = LocalCeph.conf();
        state = Files.createTempDirectory("ember-crash-ceph");
        ember = new EmberProcess(state, host, dev.ember.testing.EmberServer.cephOptions(conf));
        CephCluster cluster = CephCluster.connect(conf, "cinder");
        Pool volumesPool = cluster.openPool("volumes");
        Pool backupPool = cluster.openPool("backups");
        VolumeAccess rbd = VolumeAccess.rbd(conf, "cinder", "volumes");
        try {
            run(CEPH_KILLS, new Store() {
                public VolumeAccess volumes() {
                    return rbd;
                }

                public void checkNoOrphans(String vol, Set<String> live, Set<String> liveMeta, Set<String> gone)
                        throws Exception {
                    List<String> onSource = LocalCeph.backupSnapshots(volumesPool, ImageNames.volume(vol));
                    assertTrue(onSource.size() <= 1, "source keeps at most one backup snapshot: " + onSource);
                    String prefix = ImageNames.volume(vol) + ".backup.";
                    for (String image : backupPool.listImages()) {
                        if (!image.startsWith(prefix)) {
                            continue;
                        }
                        if (image.equals(ImageNames.legacyBase(vol))) {
                            List<String> snaps = LocalCeph.backupSnapshots(backupPool, image);
                            assertFalse(snaps.isEmpty(), "a base without backup snapshots: " + image);
                            for (String snap : snaps) {
                                String owner = SourceSnapshot.parse(snap).orElseThrow().backupId();
                                assertTrue(live.contains(owner), "base snapshot " + snap + " of no live backup");
                            }
                        } else {
                            String owner = image.substring(prefix.length());
                            assertTrue(live.contains(owner), "image " + image + " of no live backup");
                        }
                    }
                    for (String id : gone) {
                        assertFalse(backupPool.objectExists(ImageNames.meta(id)), "metadata object of " + id + " left");
                    }
                }
            });
        } finally {
            backupPool.close();
            volumesPool.close();
            cluster.close();
        }
    }

    private void run(int killsWanted, Store store) throws Exception {
        long seed = Long.getLong("ember.crash.seed", System.nanoTime());
        System.out.println("CrashSafetyTest seed " + seed);
        Random rnd = new Random(seed);
        ember.start();
        Api api = ember.api.newProject();
        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backups', -1)", api.project);
        String vol = api.createVolume(1);
        VolumeAccess volumes = store.volumes();
        Map<String, String> dataOf = new HashMap<>();
        int kills = 0;
        int round = 0;
        try (store) {
            while (kills < killsWanted) {
                round++;
                byte[] data = new byte[1 << 20];
                rnd.nextBytes(data);
                volumes.write(vol, (long) rnd.nextInt(1000) << 20, data);
                String sum = volumes.sha256(vol);
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
                Thread.sleep(rnd.nextInt(2500));
                ember.kill();
                kills++;
                ember.start();
                checkInvariants(api, vol, store);
                if (target != null) {
                    checkRestoreTarget(api, target);
                    var del = api.delete("/volumes/" + target);
                    assertEquals(202, del.status(), "delete restore target " + target + ": " + del.text());
                }
            }
            // Let any work that survived finish, then every available backup must restore exactly.
            for (String id : availableBackups(api, vol)) {
                var r = api.post("/backups/" + id + "/restore", "{\"restore\": {}}");
                assertEquals(202, r.status(), r.text());
                String target = r.json().getJsonObject("restore").getString("volume_id");
                api.awaitVolumeStatus(target, "available");
                api.awaitBackupStatus(id, "available");
                assertEquals(dataOf.get(id), volumes.sha256(target), "backup " + id + " restores the data it was taken from");
                api.delete("/volumes/" + target);
            }
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

    private void checkInvariants(Api api, String vol, Store store) throws Exception {
        // Work still in flight after the restart (a resumed delete) must reach a final state soon.
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, status FROM backups WHERE deleted = 0 AND host = '" + host + "'")) {
            while (rs.next()) {
                String status = rs.getString(2);
                assertTrue(Set.of("available", "error").contains(status) || isSettling(api, rs.getString(1)),
                        "backup " + rs.getString(1) + " stuck in " + status);
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
        Set<String> live = new HashSet<>();
        Set<String> liveMeta = new HashSet<>();
        Set<String> gone = new HashSet<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, status, deleted, service_metadata FROM backups WHERE volume_id = '"
                     + vol + "'")) {
            while (rs.next()) {
                boolean isLive = rs.getInt(3) == 0 && "available".equals(rs.getString(2));
                (isLive ? live : gone).add(rs.getString(1));
                if (rs.getInt(3) == 0) {
                    Optional.ofNullable(rs.getString(4)).ifPresent(liveMeta::add);
                }
            }
        }
        store.checkNoOrphans(vol, live, liveMeta, gone);
    }

    /**
     * The volume a killed restore was writing is not left {@code restoring-backup}: it ends
     * {@code available} (the restore had finished) or {@code error_restoring} (it had not), at
     * once or, if the restore is running again after the restart, within a minute.
     */
    private static void checkRestoreTarget(Api api, String target) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String status;
        while (true) {
            status = TestDatabase.queryString("SELECT status FROM volumes WHERE id = ?", target);
            if (Set.of("available", "error_restoring").contains(status)) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "restore target " + target + " stuck in " + status);
            Thread.sleep(100);
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
