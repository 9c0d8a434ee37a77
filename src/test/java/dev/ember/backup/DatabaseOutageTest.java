package dev.ember.backup;

import dev.ember.config.Config;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MariaDB restarted under a running Ember: requests answer 503 with Retry-After (never 500, never
 * hang), work in flight ends in a defined state, and Ember reconnects by itself. The test runs a
 * private mariadbd of its own so the shared server stays up for the other tests.
 */
class DatabaseOutageTest {

    static Path dir;
    static int port;
    static Process mariadb;
    static EmberServer server;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(new File("/usr/sbin/mariadbd").canExecute(), "mariadbd not installed");
        dir = Files.createTempDirectory("ember-mariadb");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(List.of("mariadb-install-db", "--no-defaults", "--user=root", "--datadir=" + dir.resolve("data"),
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        startMariadb();
        run(List.of("mariadb", "--no-defaults", "-uroot", "--socket=" + dir.resolve("sock"), "-e",
                "CREATE DATABASE ember; CREATE USER 'ember'@'127.0.0.1' IDENTIFIED BY 'ember';"
                        + " GRANT ALL ON ember.* TO 'ember'@'127.0.0.1';"));
        Config cfg = EmberServer.baseConfig(Files.createTempDirectory("ember-outage"))
                .with("DEFAULT", "host", "outage-test")
                .with("database", "connection", "mysql+pymysql://ember:ember@127.0.0.1:" + port + "/ember");
        server = EmberServer.start(cfg);
    }

    static void startMariadb() throws Exception {
        mariadb = new ProcessBuilder("/usr/sbin/mariadbd", "--no-defaults", "--user=root",
                "--datadir=" + dir.resolve("data"), "--socket=" + dir.resolve("sock"), "--port=" + port,
                "--bind-address=127.0.0.1", "--skip-log-bin", "--innodb-buffer-pool-size=32M",
                "--pid-file=" + dir.resolve("pid"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("mariadb.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (Exception e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("private mariadbd did not start; see " + dir.resolve("mariadb.log"));
    }

    static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.ember.close();
        }
        if (mariadb != null) {
            mariadb.destroy();
            mariadb.waitFor();
        }
    }

    @Test
    void restartOfMariadbIsSurvived() throws Exception {
        Api api = server.api.newProject();
        String vol = api.createVolume(1);
        dev.ember.testing.VolumeData.write(server.volumeFile(vol), 0, 8 << 20, 1);
        String before = api.createBackup(vol, false);
        api.awaitBackupStatus(before, "available");

        // A backup starts, then the database goes away under it.
        String inFlight = api.createBackup(vol, true);
        mariadb.destroy();
        mariadb.waitFor();

        long t0 = System.nanoTime();
        Api.Resp down = api.get("/backups");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(503, down.status(), down.text());
        assertNotNull(down.json().getJsonObject("serviceUnavailable"));
        assertNotNull(down.header("Retry-After"));
        assertTrue(ms < 15_000, "the outage answer took " + ms + " ms");
        Api.Resp create = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\"}}");
        assertEquals(503, create.status(), create.text());

        startMariadb();
        // Ember reconnects by itself; the in-flight backup ends in a defined state.
        var b = api.awaitBackup(inFlight, x -> x != null && List.of("available", "error").contains(x.getString("status")));
        assertNotNull(b);
        assertEquals(200, api.get("/backups").status());
        String after = api.createBackup(vol, false);
        api.awaitBackupStatus(after, "available");
        assertEquals("available", api.volume(vol).getString("status"));
    }
}
