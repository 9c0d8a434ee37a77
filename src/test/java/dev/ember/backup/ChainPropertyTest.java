package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.LocalCeph;
import dev.ember.testing.TestDatabase;
import dev.ember.testing.VolumeAccess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Integrity over time: random sequences of writes, full and incremental backups, restores to new
 * volumes and deletes, checked against a model. Every restore must be bit-identical to the data
 * at that backup's time; every refused delete must be refused for the right reason (it has
 * dependents) and every allowed one must succeed. The seed is printed, so a failure replays with
 * -Dember.property.seed=N.
 */
class ChainPropertyTest {

    /** Writes land in this leading region; the rest of the volume must stay zero. */
    static final int REGION = 8 << 20;
    static final int STEPS = Integer.getInteger("ember.property.steps", 50);

    /** One backup in the model: the data it must restore, and its parent as the database records it. */
    record ModelBackup(String id, byte[] data, String parentId) {
    }

    @Test
    void posixDriverOnFileVolumes() throws Exception {
        EmberServer server = EmberServer.shared();
        try (VolumeAccess volumes = VolumeAccess.files(server.stateDir.resolve("volumes"))) {
            run(server.api.newProject(), volumes, false);
        }
    }

    @Test
    void cephDriverOnRbdVolumes() throws Exception {
        Path conf = LocalCeph.conf();
        EmberServer.shared();
        EmberServer server = EmberServer.start(EmberServer.withCeph(
                EmberServer.baseConfig(Files.createTempDirectory("ember-prop-ceph"))
                        .with("DEFAULT", "host", "property-ceph-" + UUID.randomUUID().toString().substring(0, 8)),
                conf));
        try (VolumeAccess volumes = VolumeAccess.rbd(conf, "cinder", "volumes")) {
            // The RBD driver links each backup to the backup its data really diffs from (or to
            // none after a fallback to a full copy), whatever was requested: the seed lab's rule.
            run(server.api.newProject(), volumes, true);
        } finally {
            server.ember.close();
        }
    }

    /**
     * @param driverRelinks whether the driver may choose the parent itself (RBD): then a requested
     *                      full may come out incremental on the newest backup, and a requested
     *                      incremental may come out full; the data and delete rules stay strict
     */
    void run(Api api, VolumeAccess volumes, boolean driverRelinks) throws Exception {
        long seed = Long.getLong("ember.property.seed", System.nanoTime());
        System.out.println("ChainPropertyTest seed " + seed);
        Random rnd = new Random(seed);
        TestDatabase.execute("INSERT INTO quotas (created_at, deleted, project_id, resource, hard_limit) "
                + "VALUES (NOW(), 0, ?, 'backups', -1)", api.project);
        String vol = api.createVolume(1);
        byte[] current = new byte[REGION];
        Map<String, ModelBackup> live = new LinkedHashMap<>();
        List<String> log = new ArrayList<>();

        for (int step = 0; step < STEPS; step++) {
            int dice = rnd.nextInt(100);
            String what;
            if (dice < 35 || live.isEmpty() && dice < 60) {
                int len = 4096 * (1 + rnd.nextInt(64));
                int off = rnd.nextInt(REGION - len);
                byte[] data = new byte[len];
                rnd.nextBytes(data);
                if (rnd.nextInt(5) == 0) {
                    Arrays.fill(data, (byte) 0); // zeroing previously written data must be backed up too
                }
                volumes.write(vol, off, data);
                System.arraycopy(data, 0, current, off, len);
                what = "write " + len + "@" + off;
            } else if (dice < 45 || live.isEmpty()) {
                Set<String> candidates = tips(live);
                String id = api.createBackup(vol, false);
                JsonObject b = api.awaitBackupStatus(id, "available");
                String parent = TestDatabase.queryString("SELECT parent_id FROM backups WHERE id = ?", id);
                assertTrue(parent == null || driverRelinks && candidates.contains(parent),
                        "full backup " + id + " linked to " + parent + "; log " + log);
                assertEquals(parent != null, b.getBoolean("is_incremental"));
                live.put(id, new ModelBackup(id, current.clone(), parent));
                what = "full " + id + (parent == null ? "" : " (linked to " + parent + ")");
            } else if (dice < 70) {
                Set<String> candidates = tips(live);
                String id = api.createBackup(vol, true);
                api.awaitBackupStatus(id, "available");
                String parent = TestDatabase.queryString("SELECT parent_id FROM backups WHERE id = ?", id);
                assertTrue(candidates.contains(parent) || driverRelinks && parent == null,
                        "incremental " + id + " attached to " + parent
                        + ", expected the newest backup (one of " + candidates + "); log " + log);
                live.put(id, new ModelBackup(id, current.clone(), parent));
                what = "incremental " + id + " on " + parent;
            } else if (dice < 85) {
                ModelBackup b = pick(live, rnd);
                var r = api.post("/backups/" + b.id() + "/restore", "{\"restore\": {}}");
                assertEquals(202, r.status(), r.text());
                String target = r.json().getJsonObject("restore").getString("volume_id");
                api.awaitVolumeStatus(target, "available");
                api.awaitBackupStatus(b.id(), "available");
                assertVolumeEquals(volumes, target, b.data(), "restore of " + b.id() + "; log " + log);
                assertEquals(202, api.delete("/volumes/" + target).status());
                what = "restore " + b.id();
            } else {
                ModelBackup b = pick(live, rnd);
                boolean hasChildren = live.values().stream().anyMatch(o -> b.id().equals(o.parentId()));
                var r = api.delete("/backups/" + b.id());
                if (hasChildren) {
                    assertEquals(400, r.status(), "delete of " + b.id() + " with dependents; log " + log);
                    assertEquals("Invalid backup: Incremental backups exist for this backup.",
                            r.json().getJsonObject("badRequest").getString("message"));
                    what = "refused delete " + b.id();
                } else {
                    assertEquals(202, r.status(), "delete of " + b.id() + " without dependents: " + r.text() + "; log " + log);
                    api.awaitBackup(b.id(), x -> x == null);
                    live.remove(b.id());
                    what = "delete " + b.id();
                }
            }
            log.add(step + ": " + what);
            // The dependent flags shown by the API match the model after every step.
            for (ModelBackup b : live.values()) {
                boolean expected = live.values().stream().anyMatch(o -> b.id().equals(o.parentId()));
                assertEquals(expected, api.backup(b.id()).getBoolean("has_dependent_backups"),
                        "has_dependent_backups of " + b.id() + "; log " + log);
            }
        }
        // Every backup still alive restores to its own data at the end.
        for (ModelBackup b : live.values()) {
            var r = api.post("/backups/" + b.id() + "/restore", "{\"restore\": {}}");
            String target = r.json().getJsonObject("restore").getString("volume_id");
            api.awaitVolumeStatus(target, "available");
            api.awaitBackupStatus(b.id(), "available");
            assertVolumeEquals(volumes, target, b.data(), "final restore of " + b.id());
            api.delete("/volumes/" + target);
        }
    }

    /**
     * The backups an incremental may attach to: the newest alive backup, and any other backup of
     * the same second (data_timestamp has second precision) that is not the parent of another one
     * of them, which is what the API's tie rule allows.
     */
    private static Set<String> tips(Map<String, ModelBackup> live) throws Exception {
        Set<String> out = new HashSet<>();
        List<String> ids = new ArrayList<>(live.keySet());
        if (ids.isEmpty()) {
            return out;
        }
        String newestTime = TestDatabase.queryString("SELECT data_timestamp FROM backups WHERE id = ?",
                ids.get(ids.size() - 1));
        Set<String> sameSecond = new HashSet<>();
        for (String id : ids) {
            if (newestTime.equals(TestDatabase.queryString("SELECT data_timestamp FROM backups WHERE id = ?", id))) {
                sameSecond.add(id);
            }
        }
        for (String id : sameSecond) {
            if (sameSecond.stream().noneMatch(o -> id.equals(live.get(o).parentId()))) {
                out.add(id);
            }
        }
        return out;
    }

    private static ModelBackup pick(Map<String, ModelBackup> live, Random rnd) {
        List<ModelBackup> all = new ArrayList<>(live.values());
        return all.get(rnd.nextInt(all.size()));
    }

    /** The restored volume equals the model's region and is zero everywhere else. */
    static void assertVolumeEquals(VolumeAccess volumes, String volumeId, byte[] region, String what) throws Exception {
        long size = volumes.size(volumeId);
        assertEquals(1L << 30, size, what + ": size");
        ByteBuffer head = ByteBuffer.allocate(region.length);
        volumes.read(volumeId, 0, head);
        assertArrayEquals(region, head.array(), what + ": data differs in the written region");
        ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        for (long pos = region.length; pos < size; pos += buf.limit()) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), size - pos));
            volumes.read(volumeId, pos, buf);
            buf.flip();
            while (buf.remaining() >= 8) {
                if (buf.getLong() != 0) {
                    throw new AssertionError(what + ": non-zero data near offset " + (pos + buf.position() - 8));
                }
            }
            while (buf.hasRemaining()) {
                if (buf.get() != 0) {
                    throw new AssertionError(what + ": non-zero byte near offset " + (pos + buf.position() - 1));
                }
            }
        }
    }
}
