package dev.ember.backup;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.VolumeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The RabbitMQ node restarted under Ember (its non-durable queues vanish): while idle, Ember
 * reconnects and declares its topology again so the next backup works; during a backup, the
 * backup ends in a defined state and the next one works.
 */
class BrokerRestartTest {

    static EmberServer server;

    static int rabbitmqctl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("rabbitmqctl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @BeforeAll
    static void start() throws Exception {
        boolean required = System.getenv("EMBER_TEST_RABBIT_REQUIRED") != null;
        int rc = rabbitmqctl("status");
        if (!required) {
            Assumptions.assumeTrue(rc == 0, "rabbitmqctl cannot reach the local node");
        }
        EmberServer.shared();
        String zone = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        server = EmberServer.start(EmberServer.baseConfig(Files.createTempDirectory("ember-restart"))
                .with("DEFAULT", "host", "restart-" + zone)
                .with("DEFAULT", "storage_availability_zone", zone)
                .with("DEFAULT", "transport_url", "rabbit://guest:guest@127.0.0.1:5672/")
                .with("DEFAULT", "control_exchange", "ember-" + zone)
                .with("oslo_messaging_rabbit", "rabbit_retry_interval", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.ember.close();
        }
        rabbitmqctl("start_app");
    }

    static void restartBroker() throws Exception {
        assertEquals(0, rabbitmqctl("stop_app"));
        assertEquals(0, rabbitmqctl("start_app"));
        assertEquals(0, rabbitmqctl("await_startup"));
    }

    @Test
    void emberSurvivesABrokerRestart() throws Exception {
        Api api = server.api.newProject();
        String vol = api.createVolume(1);
        VolumeData.write(server.volumeFile(vol), 0, 4 << 20, 1);
        api.awaitBackupStatus(api.createBackup(vol, false), "available");

        // Idle restart: the next backup goes through once Ember has reconnected.
        restartBroker();
        String afterIdle = createWhenBrokerBack(api, vol);
        api.awaitBackupStatus(afterIdle, "available");

        // Restart during a backup: it ends available or error, never stuck, and the next one works.
        VolumeData.write(server.volumeFile(vol), 64L << 20, 64 << 20, 2);
        String during = api.createBackup(vol, false);
        restartBroker();
        var b = api.awaitBackup(during, x -> x != null && Set.of("available", "error").contains(x.getString("status")));
        String next = createWhenBrokerBack(api, vol);
        api.awaitBackupStatus(next, "available");
        System.out.println("backup during the restart ended " + b.getString("status"));
    }

    /** The API answers 503 while it cannot reach the broker; retry until it is back (bounded). */
    private static String createWhenBrokerBack(Api api, String vol) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Api.Resp r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}");
            if (r.status() == 202) {
                return r.json().getJsonObject("backup").getString("id");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no backup accepted within 60 s after the restart: " + r.status() + " " + r.text());
            }
            Thread.sleep(500);
        }
    }
}
