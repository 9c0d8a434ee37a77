package dev.ember.rpc.amqp;

import dev.ember.config.Config;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQOptions;

import java.time.Duration;

/**
 * The oslo.messaging options (cinder.conf names) that shape Ember's AMQP transport.
 *
 * @param transportUrl         {@code [DEFAULT] transport_url}
 * @param controlExchange      {@code [DEFAULT] control_exchange} (oslo default {@code openstack})
 * @param responseTimeout      {@code [DEFAULT] rpc_response_timeout} (60 s): call timeout and its message expiration
 * @param durableQueues        {@code [oslo_messaging_rabbit] amqp_durable_queues} (false)
 * @param autoDelete           {@code [oslo_messaging_rabbit] amqp_auto_delete} (false)
 * @param haQueues             {@code [oslo_messaging_rabbit] rabbit_ha_queues} (false): {@code x-ha-policy: all}
 * @param quorumQueues         {@code [oslo_messaging_rabbit] rabbit_quorum_queue} (false): topic queues are quorum (durable)
 * @param transientQueuesTtl   {@code [oslo_messaging_rabbit] rabbit_transient_queues_ttl} (1800 s): {@code x-expires} of fanout and reply queues
 * @param retryInterval        {@code [oslo_messaging_rabbit] rabbit_retry_interval} (1 s): reconnect interval
 * @param heartbeat            {@code [oslo_messaging_rabbit] heartbeat_timeout_threshold} (60 s): AMQP heartbeat requested
 * @param ssl                  {@code [oslo_messaging_rabbit] ssl} (false)
 * @param prefetch             {@code [DEFAULT] backup_max_operations} (15, at least 1): unacked deliveries per consumer
 */
public record RabbitSettings(TransportUrl transportUrl, String controlExchange, Duration responseTimeout,
                             boolean durableQueues, boolean autoDelete, boolean haQueues, boolean quorumQueues,
                             int transientQueuesTtl, Duration retryInterval, int heartbeat, boolean ssl,
                             int prefetch) {

    public static final String RABBIT = "oslo_messaging_rabbit";
    public static final String DEFAULT_URL = "rabbit://guest:guest@localhost:5672/";

    public static RabbitSettings fromConfig(Config c) {
        return new RabbitSettings(
                TransportUrl.parse(c.get("transport_url", DEFAULT_URL)),
                c.get("control_exchange", "openstack"),
                Duration.ofSeconds(c.getInt("rpc_response_timeout", 60)),
                c.getBool(RABBIT, "amqp_durable_queues", false),
                c.getBool(RABBIT, "amqp_auto_delete", false),
                c.getBool(RABBIT, "rabbit_ha_queues", false),
                c.getBool(RABBIT, "rabbit_quorum_queue", false),
                c.getInt(RABBIT, "rabbit_transient_queues_ttl", 1800),
                Duration.ofMillis((long) (Double.parseDouble(c.get(RABBIT, "rabbit_retry_interval", "1")) * 1000)),
                c.getInt(RABBIT, "heartbeat_timeout_threshold", 60),
                c.getBool(RABBIT, "ssl", false),
                Math.max(1, c.getInt("backup_max_operations", 15)));
    }

    /** oslo defaults for a URL (tests). */
    public static RabbitSettings defaults(String transportUrl, String controlExchange) {
        return new RabbitSettings(TransportUrl.parse(transportUrl), controlExchange, Duration.ofSeconds(60), false,
                false, false, false, 1800, Duration.ofSeconds(1), 60, false, 15);
    }

    public RabbitSettings withPrefetch(int n) {
        return new RabbitSettings(transportUrl, controlExchange, responseTimeout, durableQueues, autoDelete, haQueues,
                quorumQueues, transientQueuesTtl, retryInterval, heartbeat, ssl, n);
    }

    public RabbitSettings withResponseTimeout(Duration d) {
        return new RabbitSettings(transportUrl, controlExchange, d, durableQueues, autoDelete, haQueues,
                quorumQueues, transientQueuesTtl, retryInterval, heartbeat, ssl, prefetch);
    }

    /** Topic exchange and topic queues are durable when amqp_durable_queues or quorum queues are on. */
    public boolean durable() {
        return durableQueues || quorumQueues;
    }

    /** Arguments of the topic queues ({@code cinder-backup}, {@code cinder-backup.<host>}). */
    public JsonObject topicQueueArguments() {
        JsonObject a = new JsonObject();
        if (haQueues) {
            a.put("x-ha-policy", "all");
        }
        if (quorumQueues) {
            a.put("x-queue-type", "quorum");
        }
        return a;
    }

    /** Arguments of the fanout and reply queues. */
    public JsonObject transientQueueArguments() {
        JsonObject a = new JsonObject();
        if (haQueues) {
            a.put("x-ha-policy", "all");
        }
        if (transientQueuesTtl > 0) {
            a.put("x-expires", transientQueuesTtl * 1000);
        }
        return a;
    }

    /** Vert.x client options: the URL plus endless reconnects every retryInterval (no automatic recovery of amqp-client). */
    public RabbitMQOptions clientOptions(String connectionName) {
        RabbitMQOptions o = transportUrl.toOptions();
        o.setAutomaticRecoveryEnabled(false);
        o.setReconnectAttempts(Integer.MAX_VALUE);
        o.setReconnectInterval(Math.max(100, retryInterval.toMillis()));
        o.setRequestedHeartbeat(Math.max(0, heartbeat));
        o.setConnectionTimeout(10_000);
        o.setConnectionName(connectionName);
        if (ssl) {
            o.setSsl(true);
        }
        return o;
    }
}
