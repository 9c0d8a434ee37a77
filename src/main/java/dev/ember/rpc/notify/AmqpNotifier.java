package dev.ember.rpc.notify;

import dev.ember.rpc.amqp.OsloRpcClient;
import dev.ember.rpc.oslo.OsloCodec;
import dev.ember.rpc.oslo.OsloJson;
import dev.ember.rpc.oslo.RpcContext;
import dev.ember.rpc.oslo.RpcRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * oslo.messaging's {@code messagingv2} notification driver on the rabbit transport: for each topic
 * {@code T}, publishes to the control exchange with routing key {@code T.info} after declaring a
 * queue of that name bound to it (so notifications wait for a consumer), body
 * {@code {"oslo.version": "2.0", "oslo.message": "{message_id, publisher_id, event_type, priority,
 * payload, timestamp, _unique_id, _context_*}"}} ({@code messaging} v1: the bare dict). The context
 * is reduced to oslo's safe keys (no auth token). Blocking (waits for the broker's confirm);
 * failures are logged and dropped.
 */
public final class AmqpNotifier implements Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpNotifier.class);
    /** oslo.messaging notifier._sanitize_context keeps these (other context keys are reset). */
    private static final Set<String> SAFE_KEYS = Set.of("user_id", "project_id", "domain_id", "user_domain_id",
            "project_domain_id", "is_admin", "request_id", "roles", "user_name", "project_name", "domain_name",
            "user_domain_name", "project_domain_name", "service_user_id", "service_user_domain_id",
            "service_user_domain_name", "service_project_id", "service_project_name", "service_project_domain_id",
            "service_project_domain_name", "service_roles", "global_request_id", "system_scope", "user", "project",
            "user_identity", "timestamp", "read_deleted", "is_admin_project", "resource_uuid");

    private final OsloRpcClient client;
    private final String publisherId;
    private final List<String> topics;
    private final boolean envelope;

    /**
     * @param publisherId e.g. {@code backup.<host>}
     * @param topics      {@code [oslo_messaging_notifications] topics}
     * @param envelope    true for messagingv2
     */
    public AmqpNotifier(OsloRpcClient client, String publisherId, List<String> topics, boolean envelope) {
        this.client = client;
        this.publisherId = publisherId;
        this.topics = List.copyOf(topics);
        this.envelope = envelope;
    }

    /** The notifier the settings ask for: messaging → this, log → a logging one, else {@link Notifier#noop()}. */
    public static Notifier fromSettings(NotificationSettings s, OsloRpcClient client, String host) {
        if (s.messaging() && client != null) {
            return new AmqpNotifier(client, "backup." + host, s.topics(), s.envelope());
        }
        if (s.log()) {
            return new Notifier() {
                @Override
                public void info(RpcContext context, String eventType, Map<String, Object> payload) {
                    LOG.info("notification {} from backup.{}: {}", eventType, host, OsloJson.write(payload));
                }

                @Override
                public boolean enabled() {
                    return true;
                }
            };
        }
        return Notifier.noop();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /** {@code str(timeutils.utcnow())}: {@code 2024-05-01 10:00:00.123456} (no fraction when zero). */
    static String pythonUtcNow() {
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
        String s = String.format("%04d-%02d-%02d %02d:%02d:%02d", now.getYear(), now.getMonthValue(),
                now.getDayOfMonth(), now.getHour(), now.getMinute(), now.getSecond());
        int micros = now.getNano() / 1000;
        return micros == 0 ? s : s + String.format(".%06d", micros);
    }

    /** The inner message dict (without context and _unique_id). */
    public Map<String, Object> message(String eventType, String priority, Map<String, Object> payload) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message_id", UUID.randomUUID().toString());
        m.put("publisher_id", publisherId);
        m.put("event_type", eventType);
        m.put("priority", priority);
        m.put("payload", payload);
        m.put("timestamp", pythonUtcNow());
        return m;
    }

    static RpcContext sanitize(RpcContext c) {
        RpcContext base = c == null ? RpcContext.admin() : c;
        Map<String, Object> v = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : base.values().entrySet()) {
            v.put(e.getKey(), SAFE_KEYS.contains(e.getKey()) ? e.getValue() : null);
        }
        if (v.containsKey("roles") && v.get("roles") == null) {
            v.put("roles", List.of());
        }
        if (v.containsKey("service_catalog")) {
            v.put("service_catalog", List.of());
        }
        return new RpcContext(v);
    }

    @Override
    public void info(RpcContext context, String eventType, Map<String, Object> payload) {
        Map<String, Object> msg = message(eventType, "INFO", payload);
        Map<String, Object> wire = new LinkedHashMap<>(msg);
        sanitize(context).packInto(wire);
        wire.put("_unique_id", RpcRequest.newId());
        byte[] body = envelope ? OsloCodec.wrap(wire) : OsloJson.write(wire).getBytes(StandardCharsets.UTF_8);
        String exchange = client.settings().controlExchange();
        for (String topic : topics) {
            String key = topic + ".info";
            try {
                client.ensureNotificationQueue(exchange, key);
                client.publish(exchange, key, body, null);
                LOG.debug("notification {} sent to {}", eventType, key);
            } catch (RuntimeException e) {
                LOG.error("Could not send notification to {}. Payload={}: {}", key, OsloJson.write(msg), e.toString());
            }
        }
    }
}
