package dev.ember.ceph;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CephConnection} on the real cluster: a connection marked lost by a failure is replaced
 * for the next lease, the operation that still leases the old one keeps working on it (its pool
 * reads and writes), and the old connection is shut down when that lease is released.
 */
class CephConnectionTest {

    @Test
    void retiredConnectionWorksUntilItsLastLeaseThenCloses() throws Exception {
        String oid = "backup." + CephTestCluster.uniqueName("conn") + ".meta";
        byte[] data = "{}".getBytes(StandardCharsets.UTF_8);
        try (CephConnection conn = CephConnection.of(CephTestCluster.conf(), CephTestCluster.USER, null, "a test")) {
            assertNull(conn.current(), "connects on the first lease, not before");
            CephConnection.Lease first = conn.lease();
            CephCluster old = first.cluster();
            Pool oldPool = first.pool(CephTestCluster.POOL);
            assertSame(oldPool, first.pool(CephTestCluster.POOL), "one long-lived pool per connection");
            long oldId = old.instanceId();

            first.noteFailure(new CephException("rados_write", "x", -Errno.EIO));
            assertSame(old, conn.current(), "an error that is no lost session keeps the connection");
            first.noteFailure(new RuntimeException(new CephException("rados_write", "x", -Errno.ETIMEDOUT)));

            try (CephConnection.Lease second = conn.lease()) {
                assertNotSame(old, second.cluster());
                assertNotEquals(oldId, second.cluster().instanceId());
                assertEquals(List.of(old), conn.retiredOpen());
                assertNotSame(oldPool, second.pool(CephTestCluster.POOL));
                // The operation that started on the old connection finishes on it.
                oldPool.writeObject(oid, data);
                assertArrayEquals(data, second.pool(CephTestCluster.POOL).readObject(oid));
                assertFalse(old.isClosed());
                assertEquals(0, conn.closedCount());
            }
            assertFalse(old.isClosed(), "the first lease is still out");
            first.close();
            assertTrue(old.isClosed(), "closed with its last lease");
            assertTrue(oldPool.isClosed());
            assertEquals(List.of(), conn.retiredOpen());
            assertEquals(1, conn.closedCount());
            CephException closed = assertThrows(CephException.class, () -> oldPool.readObject(oid));
            assertEquals(Errno.EBADF, closed.errno());

            CephCluster current = conn.current();
            try (CephConnection.Lease third = conn.lease()) {
                assertSame(current, third.cluster(), "the replacement stays current");
                third.pool(CephTestCluster.POOL).removeObject(oid);
            }
            conn.close();
            assertTrue(current.isClosed(), "closing with no lease out shuts down now");
            assertThrows(CephException.class, conn::lease);
        }
    }
}
