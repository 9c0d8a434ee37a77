package dev.ember.rpc.amqp;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.ember.config.Config;
import dev.ember.rpc.notify.AmqpNotifier;
import dev.ember.rpc.notify.BackupUsage;
import dev.ember.rpc.notify.NotificationSettings;
import dev.ember.rpc.notify.Notifier;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.BackupRpcExtras;
import dev.ember.rpc.oslo.Captures;
import dev.ember.rpc.oslo.OsloCodec;
import dev.ember.rpc.oslo.RecordingEndpoint;
import dev.ember.rpc.oslo.RpcContext;
import dev.ember.rpc.oslo.RpcRequest;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Notifications (messagingv2 on {@code notifications.info}) and the scheduler capability reports
 * ({@code update_service_capabilities} fanout, also in answer to {@code publish_service_capabilities}),
 * read back from the real broker by a plain AMQP consumer and compared with the captures.
 */
class NotificationsAndCapabilitiesTest {

    static TestVhost vhost;
    static String exchange;
    static Vertx vertx;
    static OsloRpcClient client;
    static Connection raw;
    static Channel ch;
    static ExecutorService workers;

    @BeforeAll
    static void up() throws Exception {
        vhost = TestVhost.create("ember-notify");
        exchange = "ember-notify-" + RpcRequest.newId().substring(0, 8);
        vertx = Vertx.vertx();
        client = new OsloRpcClient(vertx, vhost.settings(exchange), "ember notify test").startBlocking(Duration.ofSeconds(60));
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(vhost.host());
        f.setPort(vhost.port());
        f.setVirtualHost(vhost.name);
        raw = f.newConnection("test consumer");
        ch = raw.createChannel();
        workers = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void down() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (client != null) {
            client.close();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (vhost != null) {
            vhost.close();
        }
    }

    static JsonNode next(String queue, long timeoutMs) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < end) {
            GetResponse r = ch.basicGet(queue, true);
            if (r != null) {
                return Captures.tree(r.getBody());
            }
            Thread.sleep(20);
        }
        return null;
    }

    static JsonNode inner(JsonNode body) throws Exception {
        assertEquals("2.0", body.get("oslo.version").asText());
        return Captures.JSON.readTree(body.get("oslo.message").asText());
    }

    static BackupObject backup() {
        return new BackupObject("36241ada-a4e0-4a92-a2e3-f82b25a49223", "u1", "p1",
                "d78340ff-506b-4d87-b8c2-feb60c25597c", "peer", "nova", "backups", null, null, true, "creating", null,
                1, "full1", null, null, "cinder.backup.drivers.ceph.CephBackupDriver", 0, null, null, 0, null,
                LocalDateTime.of(2026, 11, 23, 12, 16, 50), null, Map.of(), null,
                LocalDateTime.of(2026, 11, 23, 12, 16, 50), null, null, false, null);
    }

    @Test
    void settingsPickTheNotifier() {
        assertSame(Notifier.noop(), AmqpNotifier.fromSettings(NotificationSettings.fromConfig(Config.empty()), client, "h"));
        assertSame(Notifier.noop(), AmqpNotifier.fromSettings(NotificationSettings.fromConfig(
                Config.parse("[oslo_messaging_notifications]\ndriver = noop\n")), client, "h"));
        NotificationSettings v2 = NotificationSettings.fromConfig(
                Config.parse("[oslo_messaging_notifications]\ndriver = messagingv2\ntopics = notifications,extra\n"));
        assertTrue(v2.messaging());
        assertTrue(v2.envelope());
        assertEquals(List.of("notifications", "extra"), v2.topics());
        assertTrue(AmqpNotifier.fromSettings(v2, client, "h") instanceof AmqpNotifier);
    }

    @Test
    void backupNotificationsLikeCinders() throws Exception {
        Notifier n = AmqpNotifier.fromSettings(NotificationSettings.fromConfig(
                Config.parse("[oslo_messaging_notifications]\ndriver = messagingv2\n")), client, "peer");
        RpcContext ctx = RpcContext.of("u1", "p1", true, List.of("admin"), "secret-token", "req-1", null);
        for (String e : List.of("create.start", "create.end", "delete.start", "delete.end", "restore.start",
                "restore.end")) {
            n.backupUsage(ctx, BackupUsage.Source.of(backup()), e, null);
        }
        n.backupUsage(ctx, BackupUsage.Source.of(backup()), "createprogress", Map.of("backup_percent", 40));
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            JsonNode body = next("notifications.info", 10_000);
            assertNotNull(body, "notification " + i + " on notifications.info");
            JsonNode m = inner(body);
            events.add(m.get("event_type").asText());
            assertEquals("backup.peer", m.get("publisher_id").asText());
            assertEquals("INFO", m.get("priority").asText());
            assertTrue(m.get("message_id").asText().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
            assertTrue(m.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?"),
                    m.get("timestamp").asText());
            assertTrue(m.get("_context_auth_token").isNull(), "no auth token in notifications");
            assertEquals("req-1", m.get("_context_request_id").asText());
            assertTrue(m.has("_unique_id"));
            JsonNode p = m.get("payload");
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            List<String> expected = new ArrayList<>(List.of("tenant_id", "user_id", "availability_zone", "backup_id",
                    "host", "display_name", "created_at", "status", "volume_id", "size", "service_metadata", "service",
                    "fail_reason", "parent_id", "num_dependent_backups", "snapshot_id"));
            if (m.get("event_type").asText().equals("backup.createprogress")) {
                expected.add("backup_percent");
            }
            assertEquals(expected, keys);
            assertEquals("p1", p.get("tenant_id").asText());
            assertEquals("2026-11-23T12:16:50+00:00", p.get("created_at").asText());
            assertEquals(1, p.get("size").asInt());
        }
        assertEquals(List.of("backup.create.start", "backup.create.end", "backup.delete.start", "backup.delete.end",
                "backup.restore.start", "backup.restore.end", "backup.createprogress"), events);
        // oslo's declarations: queue notifications.info bound to the control exchange.
        assertTrue(vhost.ctl("list_bindings", "-p", vhost.name, "source_name", "destination_name", "routing_key")
                .stream().anyMatch(l -> l.matches(exchange + "\\s+notifications\\.info\\s+notifications\\.info")));
    }

    @Test
    void capabilitiesAreFannedOutAtStartPeriodicallyAndOnRequest() throws Exception {
        // A scheduler's fanout queue, declared as oslo declares it.
        ch.exchangeDeclare("cinder-scheduler_fanout", "fanout", false, true, null);
        String q = "cinder-scheduler_fanout_" + RpcRequest.newId();
        ch.queueDeclare(q, false, false, false, Map.of("x-expires", 1800000));
        ch.queueBind(q, "cinder-scheduler_fanout", "cinder-scheduler");
        ServiceCapabilitiesReporter reporter = new ServiceCapabilitiesReporter(client, "peer",
                "cinder.backup.drivers.ceph.CephBackupDriver", "nova", null, () -> true, workers);
        RecordingEndpoint endpoint = new RecordingEndpoint();
        AmqpRpcServer server = new AmqpRpcServer(vertx, vhost.settings(exchange), "peer", endpoint,
                BackupRpcExtras.defaults(reporter::publishAsync), workers);
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
            reporter.start(vertx, Duration.ofSeconds(2));
            JsonNode expected = Captures.inner(Captures.load("rpc-update_service_capabilities-scheduler-fanout.json"));
            for (int i = 0; i < 2; i++) { // at start, then after the period
                JsonNode body = next(q, 10_000);
                assertNotNull(body, "update_service_capabilities #" + i);
                JsonNode m = inner(body);
                assertEquals("update_service_capabilities", m.get("method").asText());
                assertEquals("3.3", m.get("version").asText());
                assertEquals(expected.get("args").get("capabilities"), m.get("args").get("capabilities"));
                List<String> keys = new ArrayList<>();
                m.get("args").fieldNames().forEachRemaining(keys::add);
                List<String> ek = new ArrayList<>();
                expected.get("args").fieldNames().forEachRemaining(ek::add);
                assertEquals(ek, keys);
                assertEquals("backup", m.get("args").get("service_name").asText());
                assertEquals("peer", m.get("args").get("host").asText());
                assertTrue(m.get("args").get("cluster_name").isNull());
                assertTrue(m.get("args").get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}"), "PERFECT_TIME_FORMAT");
                assertFalse(m.has("_msg_id"), "a cast");
            }
            reporter.close();
            Thread.sleep(300);
            ch.queuePurge(q);
            // cinder-scheduler's start-up fanout: publish_service_capabilities to cinder-backup_fanout
            byte[] ask = Captures.body(Captures.load("rpc-publish_service_capabilities-backup-fanout.json"));
            ch.basicPublish("cinder-backup_fanout", "", null, ask);
            JsonNode body = next(q, 10_000);
            assertNotNull(body, "capabilities in answer to publish_service_capabilities");
            assertEquals("update_service_capabilities", inner(body).get("method").asText());
            // and notify_service_capabilities to the cinder-scheduler topic queue (when one exists)
            assertEquals(new String(OsloCodec.wrap(Map.of("a", 1)), StandardCharsets.UTF_8).contains("oslo.version"), true);
        } finally {
            reporter.close();
            server.close();
        }
    }
}
