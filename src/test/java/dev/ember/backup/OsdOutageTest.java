package dev.ember.backup;

import dev.ember.ceph.CephCluster;
import dev.ember.ceph.CephConnection;
import dev.ember.device.VolumeDevice;
import dev.ember.driver.rbd.RbdBackupDriver;
import dev.ember.volume.RbdVolumeBackend;
import dev.ember.ceph.Pool;
import dev.ember.driver.rbd.ImageNames;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.LocalCeph;
import dev.ember.testing.PrivateCeph;
import dev.ember.testing.VolumeAccess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OSD of a cluster stops in the middle of a backup: the backup ends in {@code error} with a
 * clear reason, the volume is usable again, and once the OSD is back the source and the base are
 * consistent (only the last good backup's snapshot on each) and the next backup and restores work.
 * The Ceph connections that lost their session are replaced and shut down (their monitor session
 * ends) once nothing uses them: the backup driver's at once, the volume backend's only when a
 * device opened on it before the outage is closed.
 */
class OsdOutageTest {

    static final int MIB = 1 << 20;

    @Test
    void osdStoppedMidBackup() throws Exception {
        try (PrivateCeph ceph = PrivateCeph.start("ceph-osd-outage")) {
            // Short librados timeouts, as an operator may set in ceph.conf: the default is minutes.
            Path conf = ceph.clientConf(Map.of("rados_osd_op_timeout", "10", "rados_mon_op_timeout", "10"));
            EmberServer server = EmberServer.start(EmberServer.withCeph(
                    EmberServer.baseConfig(Files.createTempDirectory("ember-osd"))
                            .with("DEFAULT", "host", "osd-outage-" + UUID.randomUUID().toString().substring(0, 8)),
                    conf));
            try (CephCluster cluster = CephCluster.connect(conf, "cinder");
                 Pool volumesPool = cluster.openPool("volumes");
                 Pool backupPool = cluster.openPool("backups");
                 VolumeAccess volumes = VolumeAccess.rbd(conf, "cinder", "volumes")) {
                Api api = server.api.newProject();
                String vol = api.createVolume(1);
                Random rnd = new Random(7);
                write(volumes, vol, rnd, 0, 8);
                String sha1 = volumes.sha256(vol);
                String b1 = api.createBackup(vol, false);
                api.awaitBackupStatus(b1, "available");
                String s1 = LocalCeph.backupSnapshots(volumesPool, ImageNames.volume(vol)).get(0);

                CephConnection driverConn = ((RbdBackupDriver) server.ember.manager().driver()).connection();
                RbdVolumeBackend backend = (RbdVolumeBackend) server.ember.manager().volumeDevices();
                CephConnection backendConn = backend.connection();
                long driverBefore = driverConn.current().instanceId();
                CephCluster backendBefore = backendConn.current();
                long backendBeforeId = backendBefore.instanceId();
                Set<Long> sessions = ceph.monClientSessions();
                assertTrue(sessions.containsAll(List.of(driverBefore, backendBeforeId)),
                        "the monitor lists both connections: " + sessions + " " + driverBefore + " " + backendBeforeId);
                // Work that started on the volume backend's connection and is still running after the outage.
                VolumeDevice held = backend.open(vol, false);

                // Enough new data that the copy is still running when the OSD goes.
                write(volumes, vol, rnd, 64, 320);
                var r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"incremental\": true}}");
                assertEquals(202, r.status(), r.text());
                String b2 = r.json().getJsonObject("backup").getString("id");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (LocalCeph.backupSnapshots(volumesPool, ImageNames.volume(vol)).stream()
                        .noneMatch(n -> n.startsWith("backup." + b2 + "."))) {
                    assertTrue(System.nanoTime() < deadline, "backup " + b2 + " never took its source snapshot");
                    Thread.sleep(20);
                }
                ceph.stopOsd();

                JsonObject failed = api.awaitBackup(b2, b -> b != null
                        && Set.of("error", "available").contains(b.getString("status")), Duration.ofMinutes(5));
                assertEquals("error", failed.getString("status"), failed.encode());
                String reason = failed.getString("fail_reason");
                assertTrue(reason != null && reason.contains("Connection timed out"),
                        "fail_reason says what failed: " + reason);
                assertFalse(reason.contains("Exception") || reason.contains("\tat "), reason);
                assertEquals("available", api.volume(vol).getString("status"));

                ceph.startAgain();
                // The failed backup's leftovers go once the cluster is back (background retry).
                deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!LocalCeph.backupSnapshots(volumesPool, ImageNames.volume(vol)).equals(List.of(s1))
                        || !LocalCeph.backupSnapshots(backupPool, ImageNames.legacyBase(vol)).equals(List.of(s1))
                        || backupPool.objectExists(ImageNames.meta(b2))) {
                    assertTrue(System.nanoTime() < deadline, "leftovers of " + b2 + " remain: source "
                            + LocalCeph.backupSnapshots(volumesPool, ImageNames.volume(vol)) + ", base "
                            + LocalCeph.backupSnapshots(backupPool, ImageNames.legacyBase(vol)));
                    Thread.sleep(500);
                }
                assertTrue(backupPool.listImages().stream().noneMatch(i -> i.equals(ImageNames.perBackup(vol, b2))));

                // The lost connections were replaced; the driver's old one, unused, is shut down.
                awaitSessionGone(ceph, driverBefore, "the backup driver's connection from before the outage");
                assertNotEquals(driverBefore, driverConn.current().instanceId());
                assertEquals(List.of(), driverConn.retiredOpen());
                assertTrue(driverConn.closedCount() >= 1, "closed: " + driverConn.closedCount());

                String sha2 = volumes.sha256(vol);
                // cinder refuses an incremental on top of the error backup; a full request diffs from
                // the last good snapshot anyway (the RBD driver's rule): the chain goes on from b1.
                String b3 = api.createBackup(vol, false);
                JsonObject third = api.awaitBackupStatus(b3, "available");
                assertEquals(Boolean.TRUE, third.getBoolean("is_incremental"), third.encode());
                assertEquals(sha2, restore(api, volumes, b3));
                assertEquals(sha1, restore(api, volumes, b1));

                // The volume backend's old connection waits for the device still open on it.
                assertNotSame(backendBefore, backendConn.current());
                assertEquals(List.of(backendBefore), backendConn.retiredOpen());
                assertFalse(backendBefore.isClosed());
                assertTrue(ceph.monClientSessions().contains(backendBeforeId),
                        "a retired connection with a device open on it keeps its session");
                held.close();
                assertTrue(backendBefore.isClosed(), "shut down when its last device closed");
                assertEquals(List.of(), backendConn.retiredOpen());
                awaitSessionGone(ceph, backendBeforeId, "the volume backend's connection from before the outage");
            } finally {
                server.ember.close();
            }
        }
    }

    private static void awaitSessionGone(PrivateCeph ceph, long client, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        Set<Long> sessions;
        while ((sessions = ceph.monClientSessions()).contains(client)) {
            assertTrue(System.nanoTime() < deadline, what + " (client." + client + ") still has a monitor session: "
                    + sessions);
            Thread.sleep(500);
        }
    }

    private static String restore(Api api, VolumeAccess volumes, String backup) throws Exception {
        var r = api.post("/backups/" + backup + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        String target = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitVolumeStatus(target, "available");
        api.awaitBackupStatus(backup, "available");
        String sha = volumes.sha256(target);
        api.delete("/volumes/" + target);
        return sha;
    }

    private static void write(VolumeAccess volumes, String vol, Random rnd, int fromMib, int mibs) throws Exception {
        byte[] data = new byte[4 * MIB];
        for (int m = 0; m < mibs; m += 4) {
            rnd.nextBytes(data);
            volumes.write(vol, (long) (fromMib + m) * MIB, data);
        }
    }
}
