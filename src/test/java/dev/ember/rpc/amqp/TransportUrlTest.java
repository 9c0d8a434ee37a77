package dev.ember.rpc.amqp;

import com.rabbitmq.client.Address;
import dev.ember.config.Config;
import io.vertx.rabbitmq.RabbitMQOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportUrlTest {

    @Test
    void trailingSlashAndEmptyPathAreVhostSlash() {
        for (String u : List.of("rabbit://guest:guest@127.0.0.1:5672/", "rabbit://guest:guest@127.0.0.1:5672",
                "rabbit://guest:guest@127.0.0.1:5672/%2F")) {
            TransportUrl t = TransportUrl.parse(u);
            assertEquals("/", t.virtualHost(), u);
            assertEquals(List.of(new TransportUrl.Host("127.0.0.1", 5672, "guest", "guest")), t.hosts());
        }
        assertEquals("openstack", TransportUrl.parse("rabbit://u:p@h:5672/openstack").virtualHost());
    }

    @Test
    void multipleHostsCredentialsAndPorts() {
        TransportUrl t = TransportUrl.parse("rabbit://stack:s%40cret@10.0.0.1:5673,10.0.0.2,other:pw@[::1]:5674/vh?ssl=1");
        assertEquals(3, t.hosts().size());
        assertEquals(new TransportUrl.Host("10.0.0.1", 5673, "stack", "s@cret"), t.hosts().get(0));
        assertEquals(new TransportUrl.Host("10.0.0.2", 5672, "stack", "s@cret"), t.hosts().get(1));
        assertEquals(new TransportUrl.Host("::1", 5674, "other", "pw"), t.hosts().get(2));
        assertEquals("vh", t.virtualHost());
        assertEquals("1", t.query().get("ssl"));
        RabbitMQOptions o = t.toOptions();
        assertNull(o.getUri());
        assertEquals("stack", o.getUser());
        assertEquals("s@cret", o.getPassword());
        assertEquals("vh", o.getVirtualHost());
        assertEquals(List.of(new Address("10.0.0.1", 5673), new Address("10.0.0.2", 5672), new Address("::1", 5674)),
                o.getAddresses());
        assertFalse(t.toString().contains("s@cret"));
        assertEquals("rabbit://stack:***@h/", TransportUrl.redact("rabbit://stack:secret@h/"));
    }

    @Test
    void defaultsAndErrors() {
        TransportUrl t = TransportUrl.parse("rabbit://localhost/");
        assertEquals("guest", t.username());
        assertEquals(5672, t.hosts().get(0).port());
        assertThrows(IllegalArgumentException.class, () -> TransportUrl.parse("kafka://h:9092/"));
        assertThrows(IllegalArgumentException.class, () -> TransportUrl.parse("rabbit://h:notaport/"));
        assertThrows(IllegalArgumentException.class, () -> TransportUrl.parse(""));
        assertThrows(IllegalArgumentException.class, () -> TransportUrl.parse("127.0.0.1:5672"));
    }

    @Test
    void settingsFromConfig() {
        Config c = Config.parse("""
                [DEFAULT]
                transport_url = rabbit://guest:guest@127.0.0.1:5672/
                control_exchange = cinder
                rpc_response_timeout = 30
                backup_max_operations = 4
                [oslo_messaging_rabbit]
                rabbit_transient_queues_ttl = 600
                amqp_durable_queues = true
                rabbit_retry_interval = 2
                """);
        RabbitSettings s = RabbitSettings.fromConfig(c);
        assertEquals("cinder", s.controlExchange());
        assertEquals(Duration.ofSeconds(30), s.responseTimeout());
        assertEquals(4, s.prefetch());
        assertTrue(s.durable());
        assertEquals(600_000, s.transientQueueArguments().getInteger("x-expires"));
        assertTrue(s.topicQueueArguments().isEmpty());
        assertEquals(Duration.ofSeconds(2), s.retryInterval());
        RabbitSettings d = RabbitSettings.fromConfig(Config.parse("[DEFAULT]\nbackup_max_operations = 0\n"));
        assertEquals("openstack", d.controlExchange());
        assertEquals(1, d.prefetch());
        assertFalse(d.durable());
        assertEquals(1_800_000, d.transientQueueArguments().getInteger("x-expires"));
        assertEquals("/", d.transportUrl().virtualHost());
    }
}
