package dev.ember;

import dev.ember.config.Config;
import dev.ember.rpc.amqp.TestVhost;
import dev.ember.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;
import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backup role started from a cinder.conf with none of Ember's own options: it uses cinder's
 * schema as it is, opens no HTTP port, registers its cinder-backup service, and refuses what
 * belongs to the embedded profile. On the real MariaDB and RabbitMQ, each in a database and vhost
 * of its own (the role consumes cinder-backup queues and writes a services row).
 */
class BackupRoleTest {

    static TestVhost vhost;
    static String schemaUrl;

    @BeforeAll
    static void broker() throws Exception {
        vhost = TestVhost.create("ember-role");
        schemaUrl = TestDatabase.scratchSqlAlchemyUrl("role");
        // cinder-manage db sync's part: the tables, made here by Ember's own migrations.
        try (var db = dev.ember.db.Database.open(dev.ember.db.SqlAlchemyUrl.parse(schemaUrl), 2)) {
            db.migrate();
        }
    }

    @AfterAll
    static void close() {
        if (vhost != null) {
            vhost.close();
        }
    }

    /** What a cinder.conf of a Ceph-backup deployment says, minus Ceph (the posix driver keeps this test local). */
    static Config cinderConf(Path dir, String dbUrl) {
        return Config.empty()
                .with("DEFAULT", "host", "role-test-host")
                .with("DEFAULT", "transport_url", vhost.url())
                .with("DEFAULT", "auth_strategy", "keystone")
                .with("DEFAULT", "osapi_volume_listen", "127.0.0.1")
                .with("DEFAULT", "osapi_volume_listen_port", "0")
                .with("DEFAULT", "enabled_backends", "ceph")
                .with("DEFAULT", "backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver")
                .with("DEFAULT", "backup_posix_path", dir.resolve("backup").toString())
                .with("database", "connection", dbUrl)
                .with("ceph", "volume_driver", "cinder.volume.drivers.rbd.RBDDriver");
    }

    /** No HTTP port, a cinder-backup services row that heartbeats, and the queues of its host. */
    @Test
    void startsAsCinderBackupWithoutHttp(@TempDir Path dir) throws Exception {
        try (Ember ember = Ember.start(cinderConf(dir, schemaUrl), Role.BACKUP)) {
            assertEquals(-1, ember.port());
            String jdbc = "jdbc:mariadb://" + schemaUrl.substring(schemaUrl.indexOf('@') + 1);
            try (var c = DriverManager.getConnection(jdbc, TestDatabase.user(), TestDatabase.password());
                 var rs = c.createStatement().executeQuery("SELECT `binary`, topic, disabled FROM services "
                         + "WHERE host = 'role-test-host' AND deleted = 0")) {
                assertTrue(rs.next(), "no services row for the backup role's host");
                assertEquals("cinder-backup", rs.getString(1));
                assertEquals("cinder-backup", rs.getString(2));
                assertEquals(0, rs.getInt(3));
            }
            assertTrue(vhost.ctl("list_queues", "-p", vhost.name, "name").stream()
                            .anyMatch(l -> l.strip().equals("cinder-backup.role-test-host")),
                    "no cinder-backup.<host> queue in " + vhost.name);
        }
    }

    /** cinder's database without tables is not migrated behind the operator's back. */
    @Test
    void refusesADatabaseWithoutCinderSchema(@TempDir Path dir) {
        String empty = TestDatabase.scratchSqlAlchemyUrl("noschema");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ember.start(cinderConf(dir, empty), Role.BACKUP));
        assertTrue(e.getMessage().contains("cinder-manage db sync"), e.getMessage());
    }

    /** The file and RBD volume backends are the embedded profile's. */
    @Test
    void refusesEmbeddedVolumeBackends(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ember.start(cinderConf(dir, schemaUrl).with("DEFAULT", "volume_backend", "file"), Role.BACKUP));
        assertTrue(e.getMessage().contains("embedded profile"), e.getMessage());
    }

    /** Without backup_driver cinder would use Swift; Ember says so instead of writing elsewhere. */
    @Test
    void refusesToGuessTheBackupDriver(@TempDir Path dir) throws Exception {
        Config noDriver = Config.parse("[DEFAULT]\nhost = role-test-host\ntransport_url = " + vhost.url()
                + "\n[database]\nconnection = " + schemaUrl + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ember.start(noDriver, Role.BACKUP));
        assertTrue(e.getMessage().contains("Swift"), e.getMessage());
    }

    /** The embedded profile, unless told otherwise, is reachable on loopback only. */
    @Test
    void embeddedProfileBindsLoopbackByDefault(@TempDir Path dir) throws Exception {
        Config conf = dev.ember.testing.EmberServer.baseConfig(dir)
                .with("database", "connection", TestDatabase.scratchSqlAlchemyUrl("loopback"));
        conf = conf.without("DEFAULT", "osapi_volume_listen");
        try (Ember ember = Ember.start(conf, Role.ALL)) {
            try (Socket s = new Socket("127.0.0.1", ember.port())) {
                assertTrue(s.isConnected());
            }
            java.util.Optional<java.net.InetAddress> other = java.util.Collections.list(
                            java.net.NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                    .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst();
            org.junit.jupiter.api.Assumptions.assumeTrue(other.isPresent(),
                    "this machine has no IPv4 address but loopback to try the API from");
            assertThrows(java.io.IOException.class, () -> new Socket(other.get(), ember.port()).close());
        }
    }
}
