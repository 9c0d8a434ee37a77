package dev.ember.rpc.amqp;

import org.junit.jupiter.api.Assumptions;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A throw-away vhost on the real test broker ({@link Broker}) for tests outside this package; the
 * default vhost when rabbitmqctl does not work. Skips (or fails with EMBER_TEST_RABBIT_REQUIRED=1)
 * when there is no broker.
 */
public final class TestVhost implements AutoCloseable {

    public final String name;
    private final boolean own;

    private TestVhost(String name, boolean own) {
        this.name = name;
        this.own = own;
    }

    public static TestVhost create(String prefix) {
        boolean up = Broker.reachable();
        if (Broker.REQUIRED && !up) {
            fail("RabbitMQ on " + Broker.HOST + ":" + Broker.PORT + " is required (EMBER_TEST_RABBIT_REQUIRED=1)");
        }
        Assumptions.assumeTrue(up, "no RabbitMQ on " + Broker.HOST + ":" + Broker.PORT);
        if (!Broker.ctlWorks()) {
            return new TestVhost("/", false);
        }
        String v = prefix + "-" + dev.ember.rpc.oslo.RpcRequest.newId().substring(0, 10);
        Broker.ctl("add_vhost", v);
        Broker.ctl("set_permissions", "-p", v, "guest", ".*", ".*", ".*");
        return new TestVhost(v, true);
    }

    public String url() {
        return Broker.url(name);
    }

    public RabbitSettings settings(String exchange) {
        return RabbitSettings.defaults(url(), exchange).withResponseTimeout(Duration.ofSeconds(20));
    }

    public String host() {
        return Broker.HOST;
    }

    public int port() {
        return Broker.PORT;
    }

    /** Closes every connection of this vhost (what a broker restart or a network cut does to them). */
    public void closeConnections() {
        for (String line : Broker.ctl("list_connections", "pid", "vhost")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[1].equals(name)) {
                try {
                    Broker.ctl("close_connection", f[0], "test: connection cut");
                } catch (IllegalStateException e) {
                    // already gone
                }
            }
        }
    }

    public java.util.List<String> ctl(String... args) {
        return Broker.ctl(args);
    }

    @Override
    public void close() {
        if (own) {
            try {
                Broker.ctl("delete_vhost", name);
            } catch (IllegalStateException e) {
                // best effort
            }
        }
    }
}
