package dev.ember.rpc.amqp;

import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.BackupRpcEndpoint;
import dev.ember.rpc.oslo.BackupRpcExtras;
import dev.ember.rpc.oslo.RpcContext;
import dev.ember.rpc.oslo.RpcRequest;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AMQP RPC server under broker trouble, on the real RabbitMQ (each test in its own vhost):
 * connections closed while idle and while a long cast runs, a burst of confirmed casts with the
 * connections cut twice, and two servers on one topic where one dies holding an unacked message.
 * Invariant: every cast the client saw confirmed is executed, and exactly once per server process.
 */
class RpcResilienceTest {

    private TestVhost vhost;
    private Vertx vertx;
    private RabbitSettings settings;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<ExecutorService> pools = new ArrayList<>();

    /** Counts create_backup executions per id; ids in {@link #gates} block until their latch opens. */
    static final class CountingEndpoint implements BackupRpcEndpoint {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final List<String> order = new CopyOnWriteArrayList<>();
        final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
        volatile long sleepMs;

        CountDownLatch gate(String id) {
            started.put(id, new CountDownLatch(1));
            CountDownLatch l = new CountDownLatch(1);
            gates.put(id, l);
            return l;
        }

        @Override
        public void createBackup(String backupId) {
            runs.computeIfAbsent(backupId, k -> new AtomicInteger()).incrementAndGet();
            order.add(backupId);
            CountDownLatch s = started.get(backupId);
            if (s != null) {
                s.countDown();
            }
            CountDownLatch g = gates.get(backupId);
            try {
                if (g != null) {
                    g.await(120, TimeUnit.SECONDS);
                } else if (sleepMs > 0) {
                    Thread.sleep(sleepMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        int runs(String id) {
            AtomicInteger n = runs.get(id);
            return n == null ? 0 : n.get();
        }

        boolean await(java.util.function.BooleanSupplier c, long seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!c.getAsBoolean() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            return c.getAsBoolean();
        }

        @Override
        public void restoreBackup(String backupId, String volumeId, boolean volumeIsNew) {
        }

        @Override
        public void deleteBackup(String backupId) {
        }

        @Override
        public void resetStatus(String backupId, String status) {
        }

        @Override
        public BackupRpc.ExportedRecord exportRecord(String backupId) {
            return new BackupRpc.ExportedRecord("svc", "url-" + backupId);
        }

        @Override
        public void importRecord(String backupId, String backupService, String backupUrl, List<String> backupHosts) {
        }

        @Override
        public boolean checkSupportToForceDelete() {
            return true;
        }
    }

    @BeforeEach
    void up() {
        vhost = TestVhost.create("ember-resil");
        settings = vhost.settings("ember-resil").withPrefetch(4);
        vertx = Vertx.vertx();
    }

    @AfterEach
    void down() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
        pools.forEach(ExecutorService::shutdownNow);
        vertx.close();
        vhost.close();
    }

    private ExecutorService pool(String name, int n) {
        AtomicInteger c = new AtomicInteger();
        ExecutorService p = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000),
                r -> new Thread(r, name + "-" + c.incrementAndGet()));
        pools.add(p);
        return p;
    }

    private AmqpRpcServer server(String host, BackupRpcEndpoint endpoint) throws Exception {
        AmqpRpcServer s = new AmqpRpcServer(vertx, settings, host, endpoint, BackupRpcExtras.defaults(),
                pool("srv-" + host, 4));
        s.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        closeables.add(s);
        return s;
    }

    private OsloRpcClient client() {
        OsloRpcClient c = new OsloRpcClient(vertx, settings, "resilience client").startBlocking(Duration.ofSeconds(60));
        closeables.add(c);
        return c;
    }

    /** create_backup with a bare id (the dispatcher accepts it), to {@code cinder-backup[.host]}. */
    private static void cast(OsloRpcClient c, String host, String id) {
        c.cast(AmqpRpcServer.TOPIC, host, "create_backup", Map.of("backup", id), "2.0", RpcContext.admin());
    }

    /** messages_ready + messages_unacknowledged of a queue in this vhost. */
    private int pending(String queue) {
        for (String line : vhost.ctl("list_queues", "-p", vhost.name, "name", "messages")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(queue)) {
                return Integer.parseInt(f[1]);
            }
        }
        return -1;
    }

    private boolean reconnected(AmqpRpcServer s, long before) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (s.connectionCount() > before && s.isConnected()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    void idleConnectionsClosedThenCastsAndCallsWork() throws Exception {
        CountingEndpoint ep = new CountingEndpoint();
        AmqpRpcServer s = server("h1", ep);
        OsloRpcClient c = client();
        long before = s.connectionCount();
        vhost.closeConnections();
        assertTrue(reconnected(s, before), "server reconnected");
        cast(c, "h1", "after-idle-cut");
        assertTrue(ep.await(() -> ep.runs("after-idle-cut") == 1, 30));
        Object r = c.call(AmqpRpcServer.TOPIC, "h1", "export_record", Map.of("backup", "x1"), "2.0", RpcContext.admin());
        assertEquals(Map.of("backup_service", "svc", "backup_url", "url-x1"), r);
        Thread.sleep(500);
        assertEquals(1, ep.runs("after-idle-cut"));
        assertEquals(0, pending(s.hostQueue()));
    }

    @Test
    void connectionClosedDuringALongCastCompletesItExactlyOnce() throws Exception {
        CountingEndpoint ep = new CountingEndpoint();
        CountDownLatch gate = ep.gate("long");
        AmqpRpcServer s = server("h1", ep);
        OsloRpcClient c = client();
        cast(c, "h1", "long"); // returns once the broker confirmed it
        assertTrue(ep.started.get("long").await(30, TimeUnit.SECONDS), "the long cast started");
        long before = s.connectionCount();
        vhost.closeConnections(); // the delivery was not acked: the broker requeues it
        assertTrue(reconnected(s, before), "server reconnected");
        // The redelivery arrives while the first run still works: it is held, not run again.
        assertTrue(ep.await(() -> pending(s.hostQueue()) == 1, 10), "the redelivery is held unacked");
        gate.countDown();
        assertTrue(ep.await(() -> pending(s.hostQueue()) == 0, 30), "acked after the work finished");
        Thread.sleep(500);
        assertEquals(1, ep.runs("long"), "ran exactly once");
    }

    @Test
    void confirmedCastsSurviveRepeatedConnectionCutsExactlyOnce() throws Exception {
        CountingEndpoint ep = new CountingEndpoint();
        ep.sleepMs = 40;
        AmqpRpcServer s = server("h1", ep);
        OsloRpcClient c = client();
        int n = 40;
        List<String> confirmed = new CopyOnWriteArrayList<>();
        Thread sender = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                String id = "burst-" + i;
                try {
                    cast(c, "h1", id);
                    confirmed.add(id);
                } catch (RuntimeException e) {
                    // not confirmed: the client reports the failure; no promise made
                }
            }
        });
        sender.start();
        assertTrue(ep.await(() -> ep.order.size() >= 5, 30));
        vhost.closeConnections();
        assertTrue(ep.await(() -> ep.order.size() >= 20, 60));
        vhost.closeConnections();
        sender.join(120_000);
        assertTrue(ep.await(() -> confirmed.stream().allMatch(id -> ep.runs(id) >= 1), 90),
                "every confirmed cast ran; missing: " + confirmed.stream().filter(id -> ep.runs(id) == 0).toList());
        assertTrue(ep.await(() -> pending(s.hostQueue()) == 0, 30));
        Thread.sleep(500);
        for (String id : confirmed) {
            assertEquals(1, ep.runs(id), id + " ran exactly once");
        }
        assertTrue(confirmed.size() >= n - 2, "nearly all casts confirmed despite the cuts: " + confirmed.size());
    }

    @Test
    void twoServersOnOneTopicAndOneDiesHoldingAMessage() throws Exception {
        CountingEndpoint a = new CountingEndpoint();
        a.gate("orphan"); // A never finishes it: it "dies" while working
        AmqpRpcServer sa = server("host-a", a);
        OsloRpcClient c = client();
        cast(c, null, "orphan"); // unqualified topic: any server of cinder-backup
        assertTrue(a.started.get("orphan").await(30, TimeUnit.SECONDS), "A took the cast");
        CountingEndpoint b = new CountingEndpoint();
        AmqpRpcServer sb = server("host-b", b);
        cast(c, null, "shared-1");
        sa.close(); // consumers cancelled, connection closed without ack: the broker requeues
        assertTrue(b.await(() -> b.runs("orphan") == 1, 30), "B got A's unacked message");
        assertTrue(b.await(() -> b.runs("shared-1") + a.runs("shared-1") >= 1, 30));
        assertTrue(b.await(() -> pending(AmqpRpcServer.TOPIC) == 0, 30), "nothing left on the topic queue");
        assertEquals(1, b.runs("orphan"));
        a.gates.get("orphan").countDown();
        assertTrue(sb.isConnected());
    }
}
