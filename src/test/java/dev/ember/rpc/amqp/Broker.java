package dev.ember.rpc.amqp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real RabbitMQ the integration tests use: {@code EMBER_TEST_RABBIT_HOST}:{@code _PORT}
 * (127.0.0.1:5672, guest/guest), driven with {@code rabbitmqctl} for vhosts and inspection.
 * Tests are skipped when it does not answer, unless {@code EMBER_TEST_RABBIT_REQUIRED=1}
 * (tests/run sets it after {@code rabbitmq_ensure_running}).
 */
final class Broker {

    static final String HOST = env("EMBER_TEST_RABBIT_HOST", "127.0.0.1");
    static final int PORT = Integer.parseInt(env("EMBER_TEST_RABBIT_PORT", "5672"));
    static final boolean REQUIRED = "1".equals(System.getenv("EMBER_TEST_RABBIT_REQUIRED"));

    private Broker() {
    }

    private static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v;
    }

    static boolean reachable() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, PORT), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String url(String vhost) {
        String path = "/".equals(vhost) ? "" : vhost;
        return "rabbit://guest:guest@" + HOST + ":" + PORT + "/" + path;
    }

    /** Runs rabbitmqctl; returns stdout lines, or throws with its output on failure. */
    static List<String> ctl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("rabbitmqctl");
        cmd.add("-q");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("rabbitmqctl timed out: " + cmd);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl failed (" + p.exitValue() + "): " + cmd + "\n" + out);
            }
            return out.lines().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run rabbitmqctl: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean ctlWorks() {
        try {
            ctl("list_vhosts");
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
