package dev.ember.api;

import dev.ember.ceph.CephCluster;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.volume.CephVolumesCluster;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Ceph profile's volume service through the REST API: volumes are RBD images, cinder
 * snapshots RBD snapshots, an in-use backup (attachment + force) reads a temporary clone whose
 * {@code .clone_snap} appears on the source and goes, a snapshot backup reads the snapshot.
 * Backups use the posix driver here (the RBD backup driver is tested on its own).
 */
class CephVolumeServiceTest {

    static EmberServer server;
    static CephCluster cluster;
    static Pool pool;
    Api api;

    @BeforeAll
    static void start() throws Exception {
        var conf = CephVolumesCluster.conf();
        var state = Files.createTempDirectory("ember-ceph-test");
        server = EmberServer.start(EmberServer.baseConfig(state)
                .with("DEFAULT", "host", "ember-ceph-test")
                .with("DEFAULT", "volume_backend", "rbd")
                .with("DEFAULT", "rbd_ceph_conf", conf.toString())
                .with("DEFAULT", "rbd_user", CephVolumesCluster.USER)
                .with("DEFAULT", "rbd_pool", CephVolumesCluster.POOL));
        cluster = CephCluster.connect(conf, CephVolumesCluster.USER);
        pool = cluster.openPool(CephVolumesCluster.POOL);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.ember.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void project() {
        api = server.api.newProject();
    }

    static void fill(String volumeId, long offset, int length, long seed) throws Exception {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        try (RbdImage img = pool.openImage("volume-" + volumeId)) {
            img.write(offset, data);
            img.flush();
        }
    }

    static String sha256(String volumeId) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (RbdImage img = pool.openImageReadOnly("volume-" + volumeId, null)) {
            long size = img.size();
            ByteBuffer buf = ByteBuffer.allocate(4 << 20);
            for (long off = 0; off < size; off += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - off));
                img.read(off, buf);
                md.update(buf.array(), 0, buf.position());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static List<String> snapshots(String volumeId) throws Exception {
        try (RbdImage img = pool.openImageReadOnly("volume-" + volumeId, null)) {
            return img.listSnapshots().stream().map(Snapshot::name).toList();
        }
    }

    String restoreToNewVolume(String backup) {
        Api.Resp r = api.post("/backups/" + backup + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        String target = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        api.awaitBackupStatus(backup, "available");
        return target;
    }

    @Test
    void volumesSnapshotsAttachmentsAndBackups() throws Exception {
        String vol = api.createVolume(1);
        api.awaitVolumeStatus(vol, "available");
        try (RbdImage img = pool.openImageReadOnly("volume-" + vol, null)) {
            assertEquals(1L << 30, img.size());
        }
        fill(vol, 0, 2 << 20, 1);
        fill(vol, 600L << 20, 1 << 20, 2);
        String sumFull = sha256(vol);

        String full = api.createBackup(vol, false);
        api.awaitBackupStatus(full, "available");
        assertEquals(List.of(), snapshots(vol));

        // attachment-create + attachment-complete: in-use
        Api.Resp att = api.call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + vol
                + "\", \"instance_uuid\": \"" + UUID.randomUUID() + "\", \"connector\": {}}}", "3.64");
        assertEquals(200, att.status(), att.text());
        String attachment = att.json().getJsonObject("attachment").getString("id");
        assertEquals(204, api.call("POST", "/attachments/" + attachment + "/action", "{\"os-complete\": null}", "3.64")
                .status());
        assertEquals("in-use", api.volume(vol).getString("status"));

        fill(vol, 4L << 20, 1 << 20, 3);
        String sumInUse = sha256(vol);
        // An in-use backup reads a temporary clone: its snapshot shows on the source meanwhile.
        AtomicReference<String> seen = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            long end = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < end && seen.get() == null) {
                try {
                    for (String s : snapshots(vol)) {
                        if (s.endsWith(".clone_snap")) {
                            seen.set(s);
                        }
                    }
                    Thread.sleep(10);
                } catch (Exception e) {
                    return;
                }
            }
        });
        watcher.start();
        Api.Resp forced = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"force\": true}}");
        assertEquals(202, forced.status(), forced.text());
        String inUse = forced.json().getJsonObject("backup").getString("id");
        api.awaitBackupStatus(inUse, "available");
        seen.compareAndSet(null, "none");
        watcher.join();
        assertTrue(seen.get().matches("volume-[0-9a-f-]{36}\\.clone_snap"), seen.get());
        assertEquals(List.of(), snapshots(vol));
        assertEquals("in-use", api.volume(vol).getString("status"));
        assertFalse(pool.listImages().contains(seen.get().replace(".clone_snap", "")));

        // A cinder snapshot of the in-use volume needs force; it is the RBD snapshot snapshot-<id>.
        Api.Resp snapResp = api.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + vol + "\", \"force\": true}}");
        assertEquals(202, snapResp.status(), snapResp.text());
        String snap = snapResp.json().getJsonObject("snapshot").getString("id");
        assertEquals(List.of("snapshot-" + snap), snapshots(vol));
        String sumSnap = sha256(vol);
        fill(vol, 8L << 20, 1 << 20, 4);

        Api.Resp fromSnap = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"snapshot_id\": \""
                + snap + "\"}}");
        assertEquals(202, fromSnap.status(), fromSnap.text());
        String snapBackup = fromSnap.json().getJsonObject("backup").getString("id");
        JsonObject sb = api.awaitBackupStatus(snapBackup, "available");
        assertEquals(snap, sb.getString("snapshot_id"));
        assertEquals("available", api.get("/snapshots/" + snap).json().getJsonObject("snapshot").getString("status"));
        assertEquals(List.of("snapshot-" + snap), snapshots(vol));

        // Restores compare by sha256.
        List<String> restored = new java.util.ArrayList<>();
        for (String[] c : new String[][]{{full, sumFull}, {inUse, sumInUse}, {snapBackup, sumSnap}}) {
            String target = restoreToNewVolume(c[0]);
            restored.add(target);
            assertEquals(c[1], sha256(target), "restore of " + c[0]);
        }
        for (String t : restored) {
            assertEquals(202, api.delete("/volumes/" + t).status());
        }

        // Extend resizes the image (in-use from 3.42).
        assertEquals(202, api.call("POST", "/volumes/" + vol + "/action", "{\"os-extend\": {\"new_size\": 2}}", "3.64")
                .status());
        JsonObject v = api.volume(vol);
        assertEquals(2, v.getInteger("size"));
        assertEquals("in-use", v.getString("status"));
        try (RbdImage img = pool.openImageReadOnly("volume-" + vol, null)) {
            assertEquals(2L << 30, img.size());
        }

        // Detach, delete from the top, delete snapshot and volume: the image goes.
        assertEquals(200, api.call("DELETE", "/attachments/" + attachment, null, "3.64").status());
        assertEquals("available", api.volume(vol).getString("status"));
        for (String b : List.of(snapBackup, inUse, full)) {
            assertEquals(202, api.delete("/backups/" + b).status());
            api.awaitBackup(b, x -> x == null);
        }
        assertEquals(400, api.delete("/volumes/" + vol).status()); // it has a snapshot
        assertEquals(202, api.delete("/snapshots/" + snap).status());
        assertEquals(List.of(), snapshots(vol));
        assertEquals(202, api.delete("/volumes/" + vol).status());
        assertFalse(pool.listImages().contains("volume-" + vol));
        assertNotNull(server);
    }
}
