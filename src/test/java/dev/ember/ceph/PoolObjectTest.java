package dev.ember.ceph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RADOS objects (the backup driver's backup.<id>.meta) and cluster/pool handling. */
class PoolObjectTest {
    private static CephCluster cluster;
    private static Pool pool;

    @BeforeAll
    static void connect() throws Exception {
        cluster = CephTestCluster.connect();
        pool = cluster.openPool(CephTestCluster.POOL);
    }

    @AfterAll
    static void disconnect() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writeReadStatRemove() throws Exception {
        String oid = "backup." + CephTestCluster.uniqueName("obj") + ".meta";
        byte[] json = "{\"version\": 2, \"volume-base-metadata\": {}}".getBytes(StandardCharsets.UTF_8);
        assertFalse(pool.objectExists(oid));
        pool.writeObject(oid, json);
        try {
            assertArrayEquals(json, pool.readObject(oid));
            ObjectStat st = pool.statObject(oid).orElseThrow();
            assertEquals(json.length, st.size());
            assertTrue(Duration.between(st.mtime(), Instant.now()).abs().toMinutes() < 5, st.toString());

            byte[] shorter = "{}".getBytes(StandardCharsets.UTF_8);
            pool.writeObject(oid, shorter); // write_full replaces, does not overlay
            assertArrayEquals(shorter, pool.readObject(oid));
        } finally {
            pool.removeObject(oid);
        }
        assertFalse(pool.objectExists(oid));
        assertTrue(pool.statObject(oid).isEmpty());
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> pool.readObject(oid));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("backups/" + oid), e.getMessage());
        assertThrows(ObjectNotFoundException.class, () -> pool.removeObject(oid));
    }

    @Test
    void largeAndEmptyObjects() throws Exception {
        String oid = CephTestCluster.uniqueName("bigobj");
        byte[] data = new byte[3 * 1024 * 1024 + 7];
        new Random(1).nextBytes(data);
        pool.writeObject(oid, data);
        try {
            assertArrayEquals(data, pool.readObject(oid));
            pool.writeObject(oid, new byte[0]);
            assertArrayEquals(new byte[0], pool.readObject(oid));
        } finally {
            pool.removeObject(oid);
        }
    }

    @Test
    void missingPoolIsPoolNotFound() {
        PoolNotFoundException e = assertThrows(PoolNotFoundException.class,
                () -> cluster.openPool("ember-no-such-pool"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("ember-no-such-pool"), e.getMessage());
    }

    @Test
    void closingTwiceAndUseAfterClose() throws Exception {
        CephCluster c = CephTestCluster.connect();
        assertTrue(c.fsid().matches("[0-9a-f-]{36}"), c.fsid());
        Pool p = c.openPool("volumes");
        p.close();
        p.close();
        assertEquals(Errno.EBADF, assertThrows(CephException.class, () -> p.listImages()).errno());
        c.close();
        c.close();
        assertTrue(c.isClosed());
        assertThrows(CephException.class, () -> c.openPool("volumes"));
    }

    @Test
    void adminAndExplicitKeyring() throws Exception {
        Path conf = CephTestCluster.conf();
        Path keyring = conf.resolveSibling("ceph.client.admin.keyring");
        try (CephCluster admin = CephCluster.connect(conf, "client.admin", keyring);
             Pool volumes = admin.openPool("volumes")) {
            volumes.listImages();
        }
    }

    @Test
    void connectErrorsAreCephExceptions() {
        Path conf = CephTestCluster.conf();
        CephException missingConf = assertThrows(CephException.class,
                () -> CephCluster.connect(conf.resolveSibling("nope.conf"), "cinder"));
        assertEquals(Errno.ENOENT, missingConf.errno());
        CephException unknownUser = assertThrows(CephException.class,
                () -> CephCluster.connect(conf, "ember-nobody", conf.resolveSibling("ceph.client.cinder.keyring"),
                        Duration.ofSeconds(5)));
        assertTrue(unknownUser.getMessage().startsWith("rados_connect(client.ember-nobody@"), unknownUser.getMessage());
    }

    @Test
    void librbdVersion() {
        assertTrue(CephCluster.librbdVersion().matches("1\\.\\d+\\.\\d+"), CephCluster.librbdVersion());
    }
}
