package dev.ember.rpc.amqp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ember.error.CinderException;
import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.RecordingEndpoint;
import dev.ember.rpc.oslo.RpcRequest;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Ember's AMQP RPC against the real local RabbitMQ: Java client → Java server, a stock
 * oslo.messaging Python client → Java server, the declared topology, and a reconnect after the
 * broker closed the connections. Everything runs in a throw-away vhost (when rabbitmqctl works) and
 * a unique control exchange, so other users of the broker are not touched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AmqpRpcIntegrationTest {

    private static final String RUN = RpcRequest.newId().substring(0, 10);
    private static final String HOST = "ember-it-" + RUN;
    private static final String EXCHANGE = "ember-it-" + RUN;
    private static final String PY = "/usr/bin/python3";

    private static String vhost = "/";
    private static boolean ctl;
    private static Vertx vertx;
    private static ExecutorService workers;
    private static RecordingEndpoint endpoint;
    private static AmqpRpcServer server;
    private static AmqpBackupRpc client;
    private static RabbitSettings settings;

    @BeforeAll
    static void startAll() throws Exception {
        boolean up = Broker.reachable();
        if (Broker.REQUIRED && !up) {
            fail("RabbitMQ on " + Broker.HOST + ":" + Broker.PORT + " is required (EMBER_TEST_RABBIT_REQUIRED=1)");
        }
        Assumptions.assumeTrue(up, "no RabbitMQ on " + Broker.HOST + ":" + Broker.PORT);
        ctl = Broker.ctlWorks();
        if (ctl) {
            vhost = "ember-it-" + RUN;
            Broker.ctl("add_vhost", vhost);
            Broker.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        }
        settings = RabbitSettings.defaults(Broker.url(vhost), EXCHANGE).withPrefetch(3)
                .withResponseTimeout(Duration.ofSeconds(20));
        vertx = Vertx.vertx();
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(3, 3, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(100),
                r -> new Thread(r, "rpc-it-worker-" + n.incrementAndGet()));
        endpoint = new RecordingEndpoint();
        server = new AmqpRpcServer(vertx, settings, HOST, endpoint, endpoint, workers);
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        client = new AmqpBackupRpc(vertx, settings, AmqpRpcIntegrationTest::backupRow);
        client.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopAll() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (ctl && !"/".equals(vhost)) {
            try {
                Broker.ctl("delete_vhost", vhost);
            } catch (IllegalStateException e) {
                // best effort
            }
        }
    }

    @BeforeEach
    void clear() {
        endpoint.calls.clear();
        endpoint.threads.clear();
    }

    /** What the wiring's BackupObjectSource would load from the backups table. */
    static BackupObject backupRow(String id) {
        LocalDateTime t = LocalDateTime.of(2026, 11, 23, 12, 16, 50);
        return new BackupObject(id, "u1", "p1", "v1", HOST, "nova", null, null, null, true, "creating", null, 1,
                "full1", null, null, null, 0, null, null, 0, null, t, null, Map.of(), null, t, null, null, false,
                null);
    }

    @Test
    @Order(1)
    void topologyIsOslos() {
        Assumptions.assumeTrue(ctl, "rabbitmqctl not usable");
        Map<String, String> queues = new HashMap<>();
        for (String l : Broker.ctl("list_queues", "-p", vhost, "name", "durable", "auto_delete", "exclusive",
                "arguments", "consumers")) {
            String[] f = l.split("\t");
            if (f.length >= 6 && !f[0].equals("name")) {
                queues.put(f[0], String.join("\t", List.of(f).subList(1, f.length)));
            }
        }
        // Same flags as oslo's in tests/rpc/captures/rabbitmq-topology.txt, one consumer each.
        assertEquals("false\tfalse\tfalse\t[]\t1", queues.get("cinder-backup"), queues.toString());
        assertEquals("false\tfalse\tfalse\t[]\t1", queues.get("cinder-backup." + HOST), queues.toString());
        assertEquals("false\tfalse\tfalse\t[{\"x-expires\",1800000}]\t1", queues.get(server.fanoutQueue()),
                queues.toString());
        assertTrue(server.fanoutQueue().matches("cinder-backup_fanout_[0-9a-f]{32}"));
        assertEquals("false\tfalse\tfalse\t[{\"x-expires\",1800000}]\t1", queues.get(client.replyQueue()));
        assertTrue(client.replyQueue().matches("reply_[0-9a-f]{32}"));

        List<String> exchanges = Broker.ctl("list_exchanges", "-p", vhost, "name", "type", "durable", "auto_delete",
                "arguments");
        assertTrue(exchanges.contains(EXCHANGE + "\ttopic\tfalse\tfalse\t[]"), exchanges.toString());
        assertTrue(exchanges.contains("cinder-backup_fanout\tfanout\tfalse\ttrue\t[]"), exchanges.toString());

        List<String> bindings = Broker.ctl("list_bindings", "-p", vhost, "source_name", "destination_name",
                "routing_key");
        assertTrue(bindings.contains(EXCHANGE + "\tcinder-backup\tcinder-backup"), bindings.toString());
        assertTrue(bindings.contains(EXCHANGE + "\tcinder-backup." + HOST + "\tcinder-backup." + HOST));
        assertTrue(bindings.contains("cinder-backup_fanout\t" + server.fanoutQueue() + "\tcinder-backup"));
    }

    @Test
    @Order(2)
    void javaClientToJavaServer() throws Exception {
        client.createBackup(HOST, "b-create");
        client.deleteBackup(HOST, "b-delete");
        client.resetStatus(HOST, "b-reset", "error");
        client.restoreBackup(HOST, "b-restore", "v-target", true);
        client.importRecord(HOST, "b-import", "svc", "url", List.of("h1"));
        assertTrue(endpoint.await(5, 20), endpoint.calls.toString());
        assertTrue(endpoint.calls.containsAll(List.of("create_backup b-create", "delete_backup b-delete",
                "reset_status b-reset error", "restore_backup b-restore v-target false",
                "import_record b-import svc url [h1]")), endpoint.calls.toString());
        for (String t : endpoint.threads) {
            assertTrue(t.startsWith("rpc-it-worker-"), "endpoint ran on " + t);
        }

        BackupRpc.ExportedRecord rec = client.exportRecord(HOST, "b-export");
        assertEquals(new BackupRpc.ExportedRecord("cinder.backup.drivers.posix.PosixBackupDriver", "url-of-b-export"),
                rec);
        assertTrue(client.checkSupportToForceDelete(HOST));

        CinderException e = assertThrows(CinderException.class,
                () -> client.exportRecord(HOST, RecordingEndpoint.MISSING));
        assertEquals(CinderException.Kind.NOT_FOUND, e.kind());
        assertEquals("Backup " + RecordingEndpoint.MISSING + " could not be found.", e.getMessage());

        // A call to a host nobody serves times out like oslo's MessagingTimeout.
        AmqpBackupRpc quick = new AmqpBackupRpc(vertx, settings.withResponseTimeout(Duration.ofSeconds(2)),
                AmqpRpcIntegrationTest::backupRow);
        try {
            quick.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThrows(MessagingTimeoutException.class, () -> quick.checkSupportToForceDelete("nobody-" + RUN));
            // A cast to it is still accepted (confirmed) by the broker, as with oslo.
            quick.deleteBackup("nobody-" + RUN, "b-x");
        } finally {
            quick.close();
        }
    }

    @Test
    @Order(3)
    void pythonOsloClientToJavaServer() throws Exception {
        Path script = Path.of("tests", "rpc", "oslo_client.py");
        boolean hasOslo = Files.isExecutable(Path.of(PY)) && run(List.of(PY, "-c", "import oslo_messaging"), 60)
                .exit == 0;
        if (Broker.REQUIRED && !hasOslo) {
            fail("python3-oslo.messaging is required (rabbitmq_ensure_oslo_client)");
        }
        Assumptions.assumeTrue(hasOslo, "no python3-oslo.messaging");
        String id = "5e1c0b6a-3f1e-4c55-9a38-" + RUN.substring(0, 10) + "ab";
        Result r = run(List.of(PY, script.toString(), "--url", Broker.url(vhost), "--exchange", EXCHANGE,
                "--server", HOST, "--backup-id", id, "--timeout", "20",
                "cast_create_backup", "call_export_record", "call_check_support", "call_export_missing",
                "call_unknown_method", "call_bad_version"), 180);
        assertEquals(0, r.exit, r.output);
        Map<String, JsonNode> out = new HashMap<>();
        ObjectMapper m = new ObjectMapper();
        for (String l : r.output.lines().toList()) {
            if (l.startsWith("{")) {
                JsonNode n = m.readTree(l);
                out.put(n.get("action").asText(), n);
            }
        }
        assertEquals(6, out.size(), r.output);
        assertTrue(out.get("cast_create_backup").get("ok").asBoolean(), r.output);
        assertTrue(endpoint.await(1, 20));
        assertTrue(endpoint.calls.contains("create_backup " + id), endpoint.calls.toString());

        JsonNode exp = out.get("call_export_record");
        assertTrue(exp.get("ok").asBoolean(), r.output);
        assertEquals("url-of-" + id, exp.get("result").get("backup_url").asText());
        assertEquals("cinder.backup.drivers.posix.PosixBackupDriver", exp.get("result").get("backup_service").asText());
        assertTrue(endpoint.calls.contains("export_record " + id));

        assertTrue(out.get("call_check_support").get("result").asBoolean(), r.output);

        JsonNode missing = out.get("call_export_missing");
        assertFalse(missing.get("ok").asBoolean());
        // cinder.exception is not importable here, so oslo raises RemoteError with the class name.
        assertEquals("RemoteError", missing.get("error").asText(), r.output);
        assertEquals("BackupNotFound", missing.get("exc_type").asText());
        assertTrue(missing.get("value").asText().contains("could not be found"));

        assertEquals("NoSuchMethod", out.get("call_unknown_method").get("exc_type").asText(), r.output);
        assertEquals("UnsupportedVersion", out.get("call_bad_version").get("exc_type").asText(), r.output);
    }

    @Test
    @Order(4)
    void serverAndClientSurviveClosedConnections() throws Exception {
        Assumptions.assumeTrue(ctl, "rabbitmqctl not usable");
        long before = server.connectionCount();
        Broker.ctl("close_all_connections", "-p", vhost, "ember integration test: reconnect");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((server.connectionCount() <= before || !server.isConnected() || !client.isConnected())
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(server.connectionCount() > before, "server reconnected");
        // Consumers are back on every queue.
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            long withConsumer = Broker.ctl("list_queues", "-p", vhost, "name", "consumers").stream()
                    .filter(l -> l.endsWith("\t1") && (l.startsWith("cinder-backup") || l.startsWith("reply_")))
                    .count();
            if (withConsumer >= 4) {
                break;
            }
            Thread.sleep(500);
        }
        client.createBackup(HOST, "b-after-reconnect");
        assertTrue(endpoint.await(1, 30), "cast after reconnect arrived");
        assertEquals("create_backup b-after-reconnect", endpoint.calls.get(0));
        assertTrue(client.checkSupportToForceDelete(HOST));
    }

    @Test
    @Order(5)
    void castIsAckedOnlyAfterTheEndpointReturned() throws Exception {
        Assumptions.assumeTrue(ctl, "rabbitmqctl not usable");
        client.createBackup(HOST, RecordingEndpoint.SLOW);
        assertTrue(endpoint.await(1, 20));
        assertEquals("1", unacked("cinder-backup." + HOST), "unacked while the endpoint runs");
        endpoint.release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String n = unacked("cinder-backup." + HOST);
        while (!"0".equals(n) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            n = unacked("cinder-backup." + HOST);
        }
        assertEquals("0", n, "acked once the endpoint returned");
    }

    private static String unacked(String queue) {
        for (String l : Broker.ctl("list_queues", "-p", vhost, "name", "messages_unacknowledged")) {
            String[] f = l.split("\t");
            if (f.length == 2 && f[0].equals(queue)) {
                return f[1];
            }
        }
        return "?";
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(false).start();
        p.getOutputStream().close();
        StringBuilder err = new StringBuilder();
        Thread t = new Thread(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process gone
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        t.join(5000);
        return new Result(p.exitValue(), out + (err.isEmpty() ? "" : "\n--- stderr ---\n" + err));
    }
}
