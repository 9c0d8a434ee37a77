package dev.ember.volume.remote;

import dev.ember.ceph.CephCluster;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.device.rbd.SourceKind;
import dev.ember.rpc.amqp.FakeCinderVolume;
import dev.ember.rpc.amqp.OsloRpcClient;
import dev.ember.rpc.amqp.RabbitSettings;
import dev.ember.rpc.amqp.TestVhost;
import dev.ember.rpc.amqp.VolumeRpcClient;
import dev.ember.rpc.oslo.BackupDeviceInfo;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.RemoteFailure;
import dev.ember.rpc.oslo.RpcRequest;
import dev.ember.rpc.oslo.VersionedObject;
import dev.ember.model.Volume;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RemoteVolumeBackend} against a fake cinder-volume (Java, on the real broker) that answers
 * like the captured Zed cinder-volume, with rbd connection info pointing at real images of the
 * one-node Ceph: the device reads and writes the image's data and is detached as cinder-backup does.
 */
class RemoteVolumeBackendTest {

    static final String VOLUME_HOST = "peer@ceph#ceph";
    static final String ROUTING_KEY = "cinder-volume.peer@ceph.peer";
    static final int SIZE = 4 << 20;

    static TestVhost vhost;
    static Vertx vertx;
    static OsloRpcClient client;
    static FakeCinderVolume fake;
    static CephCluster ceph;
    static Pool volumesPool;
    static final List<String> images = new ArrayList<>();
    static final Map<String, VersionedObject> volumeObjects = new LinkedHashMap<>();
    /** What get_backup_device answers (volume or snapshot device), set per test. */
    static final AtomicReference<Object> backupDevice = new AtomicReference<>();
    static final AtomicReference<Map<String, Object>> connection = new AtomicReference<>();
    static Path conf;

    @BeforeAll
    static void up() throws Exception {
        conf = dev.ember.testing.LocalCeph.conf();
        vhost = TestVhost.create("ember-remote");
        String exchange = "ember-remote-" + RpcRequest.newId().substring(0, 8);
        RabbitSettings settings = vhost.settings(exchange);
        vertx = Vertx.vertx();
        client = new OsloRpcClient(vertx, settings, "ember test").startBlocking(Duration.ofSeconds(60));
        fake = new FakeCinderVolume(vhost.host(), vhost.port(), vhost.name, exchange, ROUTING_KEY,
                RemoteVolumeBackendTest::answer);
        ceph = CephCluster.connect(conf, "cinder");
        volumesPool = ceph.openPool("volumes");
    }

    @AfterAll
    static void down() throws Exception {
        if (volumesPool != null) {
            for (String i : images) {
                try {
                    volumesPool.removeImage(i);
                } catch (Exception e) {
                    // best effort
                }
            }
            volumesPool.close();
        }
        if (ceph != null) {
            ceph.close();
        }
        if (fake != null) {
            fake.close();
        }
        if (client != null) {
            client.close();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (vhost != null) {
            vhost.close();
        }
    }

    @BeforeEach
    void clear() {
        fake.requests.clear();
        connection.set(null);
    }

    static Object answer(RpcRequest r) {
        return switch (r.method()) {
            case "get_backup_device" -> backupDevice.get();
            case "secure_file_operations_enabled" -> false;
            case "initialize_connection" -> {
                if (connection.get() != null) {
                    yield connection.get();
                }
                VersionedObject v = (VersionedObject) r.args().get("volume");
                yield rbdInfo("volumes/volume-" + v.string("id"), v.string("id"));
            }
            case "initialize_connection_snapshot" -> rbdInfo(connection.get() == null ? null
                    : (String) ((Map<?, ?>) connection.get().get("data")).get("name"), null);
            default -> null;
        };
    }

    static Map<String, Object> rbdInfo(String name, String volumeId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", name);
        data.put("hosts", List.of("127.0.0.1"));
        data.put("ports", List.of("6789"));
        data.put("cluster_name", "ceph");
        data.put("auth_enabled", true);
        data.put("auth_username", "cinder");
        data.put("secret_type", "ceph");
        data.put("secret_uuid", "30de26b4-b5fb-430e-bb89-79c98292d178");
        data.put("volume_id", volumeId);
        data.put("discard", true);
        data.put("qos_specs", null);
        data.put("access_mode", "rw");
        data.put("encrypted", false);
        data.put("cacheable", false);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("driver_volume_type", "rbd");
        info.put("data", data);
        return info;
    }

    /** A real image volumes/volume-<id> with random data, and its Volume object as cinder sends it. */
    static String newVolume(byte[] data) throws Exception {
        String id = UUID.randomUUID().toString();
        String name = "volume-" + id;
        volumesPool.createImage(name, SIZE);
        images.add(name);
        try (RbdImage img = volumesPool.openImage(name)) {
            img.write(0, ByteBuffer.wrap(data));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("user_id", "u1");
        row.put("project_id", "p1");
        row.put("host", VOLUME_HOST);
        row.put("size", 1);
        row.put("status", "backing-up");
        row.put("deleted", (byte) 0);
        row.put("created_at", LocalDateTime.of(2026, 11, 23, 12, 16, 47));
        volumeObjects.put(id, DatabaseLookups.volumeObject(row));
        return id;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static BackupObject backup(String volumeId, String snapshotId) {
        return new BackupObject(UUID.randomUUID().toString(), "u1", "p1", volumeId, "ember-host", "nova", null,
                null, null, true, "creating", null, 1, "b", null, null,
                "cinder.backup.drivers.ceph.CephBackupDriver", 0, null, null, 0, snapshotId,
                LocalDateTime.now(), null, Map.of(), null, LocalDateTime.now(), null, null, false, null);
    }

    static VersionedObject deviceInfo(VersionedObject volume) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("volume", volume);
        d.put("secure_enabled", false);
        return new VersionedObject("BackupDeviceInfo", "cinder", "1.0", d, List.of("volume", "secure_enabled"));
    }

    static Volume volumeRecord(String id) {
        return new Volume(id, "u1", "p1", VOLUME_HOST, 1, "nova", "backing-up", "detached", "available", "v", null,
                null, false, false, null, LocalDateTime.now(), LocalDateTime.now());
    }

    RemoteVolumeBackend backend(BackupObject b) {
        return new RemoteVolumeBackend(new VolumeRpcClient(client),
                new RemoteVolumeBackend.Settings(conf, "cinder", null, ConnectorProperties.of("127.0.0.1"), true),
                (vol, snap) -> {
                    assertEquals(b.volumeId(), vol);
                    return b;
                }, id -> volumeObjects.get(id));
    }

    static byte[] readAll(VolumeDevice d, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            int r = d.read(buf.position(), buf);
            if (r < 0) {
                break;
            }
        }
        return buf.array();
    }

    @Test
    void liveVolumeBackupSourceReadsTheImageAndDetachesLikeCinderBackup() throws Exception {
        byte[] data = random(1 << 20, 1);
        String vid = newVolume(data);
        BackupObject b = backup(vid, null);
        backupDevice.set(deviceInfo(volumeObjects.get(vid)));
        try (RemoteVolumeBackend be = backend(b)) {
            RbdDevice dev;
            try (VolumeDevice d = be.openBackupSource(volumeRecord(vid), null)) {
                dev = assertInstanceOf(RbdDevice.class, d);
                assertEquals(SourceKind.LIVE_VOLUME, dev.kind());
                assertEquals("volumes", dev.pool().name());
                assertEquals("volume-" + vid, dev.imageName());
                assertEquals(vid, dev.volumeId());
                assertEquals(SIZE, d.size());
                assertArrayEquals(data, readAll(d, data.length));
                assertEquals(List.of("get_backup_device", "initialize_connection"), fake.methods());
            }
        }
        assertEquals(List.of("get_backup_device", "initialize_connection", "terminate_connection", "remove_export"),
                fake.methods());
        RpcRequest gbd = fake.requests.get(0);
        assertEquals("3.17", gbd.version());
        assertTrue(gbd.isCall());
        assertEquals(false, gbd.args().get("async_call"));
        assertEquals(true, gbd.args().get("want_objects"));
        assertEquals(b.id(), ((VersionedObject) gbd.args().get("backup")).string("id"));
        RpcRequest init = fake.requests.get(1);
        assertEquals("3.0", init.version());
        assertEquals(List.of("connector", "volume"), new ArrayList<>(init.args().keySet()));
        Map<?, ?> connector = (Map<?, ?>) init.args().get("connector");
        assertEquals(false, connector.get("do_local_attach"));
        assertEquals(false, connector.get("multipath"));
        assertEquals("linux", connector.get("os_type"));
        assertEquals("127.0.0.1", connector.get("ip"));
        RpcRequest term = fake.requests.get(2);
        assertEquals(Map.of("volume_id", vid, "connector", connector, "force", true), term.args());
        RpcRequest rm = fake.requests.get(3);
        assertTrue(rm.isCall(), "remove_export(sync=True) is a call");
        assertEquals(Map.of("volume_id", vid), rm.args());
    }

    @Test
    void temporaryCloneIsReadAndDeletedAfterwards() throws Exception {
        String vid = newVolume(random(4096, 2));
        byte[] cloneData = random(1 << 20, 3);
        String tmp = newVolume(cloneData);
        BackupObject b = backup(vid, null);
        backupDevice.set(deviceInfo(volumeObjects.get(tmp)));
        try (RemoteVolumeBackend be = backend(b)) {
            try (VolumeDevice d = be.openBackupSource(volumeRecord(vid), null)) {
                RbdDevice dev = (RbdDevice) d;
                assertEquals(SourceKind.TEMPORARY_CLONE, dev.kind());
                assertEquals(vid, dev.volumeId(), "the device belongs to the backed-up volume");
                assertEquals("volume-" + tmp, dev.imageName());
                assertArrayEquals(cloneData, readAll(d, cloneData.length));
            }
        }
        fake.awaitRequests(5, 5000);
        assertEquals(List.of("get_backup_device", "initialize_connection", "terminate_connection", "remove_export",
                "delete_volume"), fake.methods());
        RpcRequest del = fake.requests.get(4);
        assertFalse(del.isCall());
        assertEquals(tmp, ((VersionedObject) del.args().get("volume")).string("id"));
        assertEquals(false, del.args().get("unmanage_only"));
        assertEquals(false, del.args().get("cascade"));
    }

    @Test
    void snapshotDeviceIsOpenedAtTheSnapshot() throws Exception {
        byte[] before = random(1 << 20, 4);
        String vid = newVolume(before);
        String snapId = UUID.randomUUID().toString();
        try (RbdImage img = volumesPool.openImage("volume-" + vid)) {
            img.createSnapshot("snapshot-" + snapId);
            img.write(0, ByteBuffer.wrap(random(1 << 20, 5)));
        }
        Map<String, Object> snap = new LinkedHashMap<>();
        snap.put("id", snapId);
        snap.put("volume_id", vid);
        snap.put("volume", volumeObjects.get(vid));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("snapshot", new VersionedObject("Snapshot", "cinder", "1.6", snap, null));
        d.put("secure_enabled", false);
        backupDevice.set(new VersionedObject("BackupDeviceInfo", "cinder", "1.0", d, null));
        connection.set(rbdInfo("volumes/volume-" + vid + "@snapshot-" + snapId, vid));
        BackupObject b = backup(vid, snapId);
        try (RemoteVolumeBackend be = backend(b)) {
            try (VolumeDevice dev = be.openBackupSource(volumeRecord(vid), snapId)) {
                assertEquals(SourceKind.CINDER_SNAPSHOT, ((RbdDevice) dev).kind());
                assertArrayEquals(before, readAll(dev, before.length));
            }
        } finally {
            try (RbdImage img = volumesPool.openImage("volume-" + vid)) {
                img.removeSnapshot("snapshot-" + snapId);
            }
        }
        assertEquals(List.of("get_backup_device", "initialize_connection_snapshot", "terminate_connection_snapshot",
                "remove_export_snapshot"), fake.methods(), "the backup's own snapshot is not deleted");
        assertEquals("3.13", fake.requests.get(1).version());
        assertEquals(snapId, fake.requests.get(1).args().get("snapshot_id"));
    }

    @Test
    void continueBackupSuppliesTheDeviceWithoutAskingAgain() throws Exception {
        byte[] data = random(65536, 6);
        String vid = newVolume(data);
        BackupObject b = backup(vid, null);
        backupDevice.set(null); // get_backup_device must not be called
        try (RemoteVolumeBackend be = backend(b)) {
            List<byte[]> read = new ArrayList<>();
            RemoteContinuation cont = new RemoteContinuation(be, backupId -> {
                assertEquals(b.id(), backupId);
                try (VolumeDevice d = be.openBackupSource(volumeRecord(vid), null)) {
                    read.add(readAll(d, data.length));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            cont.continueBackup(b, BackupDeviceInfo.fromPrimitive(deviceInfo(volumeObjects.get(vid))));
            assertArrayEquals(data, read.get(0));
        }
        assertEquals(List.of("initialize_connection", "terminate_connection", "remove_export"), fake.methods());
    }

    @Test
    void restoreTargetIsWritable() throws Exception {
        String vid = newVolume(new byte[4096]);
        byte[] data = random(1 << 20, 7);
        try (RemoteVolumeBackend be = backend(backup(vid, null))) {
            try (VolumeDevice d = be.openRestoreTarget(vid)) {
                assertEquals(SourceKind.LIVE_VOLUME, ((RbdDevice) d).kind());
                d.write(0, ByteBuffer.wrap(data));
                d.flush();
            }
        }
        assertEquals(List.of("secure_file_operations_enabled", "initialize_connection", "terminate_connection",
                "remove_export"), fake.methods());
        try (RbdImage img = volumesPool.openImage("volume-" + vid)) {
            ByteBuffer buf = ByteBuffer.allocate(data.length);
            while (buf.hasRemaining()) {
                img.read(buf.position(), buf);
            }
            assertArrayEquals(data, buf.array());
        }
    }

    @Test
    void failedInitializeConnectionTerminatesAndRaises() throws Exception {
        String vid = newVolume(new byte[16]);
        Map<String, Object> iscsi = new LinkedHashMap<>();
        iscsi.put("driver_volume_type", "iscsi");
        iscsi.put("data", Map.of("target_iqn", "iqn.x"));
        connection.set(iscsi);
        BackupObject b = backup(vid, null);
        backupDevice.set(deviceInfo(volumeObjects.get(vid)));
        try (RemoteVolumeBackend be = backend(b)) {
            IOException e = assertThrows(IOException.class, () -> be.openBackupSource(volumeRecord(vid), null));
            assertTrue(e.getMessage().contains("iscsi"), e.getMessage());
        }
        assertEquals(List.of("get_backup_device", "initialize_connection", "terminate_connection", "remove_export"),
                fake.methods());
        // A cinder exception from cinder-volume comes back as an IOException naming it.
        connection.set(null);
        backupDevice.set(RemoteFailure.cinder("VolumeNotFound", "Volume " + vid + " could not be found."));
        try (RemoteVolumeBackend be = backend(b)) {
            IOException e = assertThrows(IOException.class, () -> be.openBackupSource(volumeRecord(vid), null));
            assertTrue(e.getMessage().contains("could not be found"), e.getMessage());
        }
        assertTrue(Arrays.asList(ROUTING_KEY.split("\\.")).contains("cinder-volume"));
    }
}
