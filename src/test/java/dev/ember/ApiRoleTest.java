package dev.ember;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.ember.config.Config;
import dev.ember.rpc.amqp.TestVhost;
import dev.ember.rpc.oslo.OsloCodec;
import dev.ember.rpc.oslo.RpcRequest;
import dev.ember.rpc.oslo.VersionedObject;
import dev.ember.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The api role ({@code ember api}) started from a cinder.conf with none of Ember's options: it
 * binds {@code osapi_volume_listen_port}, serves the backup routes and volume reads but no volume
 * writes, runs no backup manager (no services row, no {@code cinder-backup} queue), refuses a
 * database without cinder's tables, and makes the new volume of a restore as cinder-api does: a
 * {@code creating} row with quota and a workers row, {@code create_volume} cast to
 * cinder-scheduler, an answer only once the volume left {@code creating} (400 if it went to
 * error), then {@code restore_backup} cast to the backup's host. The test plays cinder-scheduler
 * and cinder-volume by reading their queue and setting the volume's status. Real MariaDB and
 * RabbitMQ, a database and vhost of its own.
 */
class ApiRoleTest {

    static final String PROJECT = "a9a0000000000000000000000000000a";
    static final String USER = "a9a0000000000000000000000000000b";
    static final String BACKUP_HOST = "api-role-backup-host";
    static TestVhost vhost;
    static String schemaUrl;

    @BeforeAll
    static void setUp() throws Exception {
        // EMBER_TEST_TAG keeps parallel checkouts' vhosts apart (the suffix is random anyway).
        String tag = System.getenv("EMBER_TEST_TAG");
        vhost = TestVhost.create(tag == null || tag.isBlank() ? "ember-apirole" : "ember-" + tag + "-apirole");
        schemaUrl = TestDatabase.scratchSqlAlchemyUrl("apirole");
        // cinder-manage db sync's part: Ember's migrations make the tables it shares with cinder
        // (volume_types and volume_type_extra_specs among them, for the embedded types API), and
        // the tables only cinder's schema has are made here, with cinder 21's columns.
        try (var db = dev.ember.db.Database.open(dev.ember.db.SqlAlchemyUrl.parse(schemaUrl), 2)) {
            db.migrate();
        }
        sql("CREATE TABLE IF NOT EXISTS volume_types (created_at datetime, updated_at datetime, deleted_at datetime, "
                + "deleted tinyint(1), id varchar(36) NOT NULL PRIMARY KEY, name varchar(255), qos_specs_id varchar(36), "
                + "is_public tinyint(1), description varchar(255))");
        sql("CREATE TABLE IF NOT EXISTS volume_type_extra_specs (created_at datetime, updated_at datetime, deleted_at datetime, "
                + "deleted tinyint(1), id int AUTO_INCREMENT PRIMARY KEY, volume_type_id varchar(36) NOT NULL, "
                + "`key` varchar(255), value varchar(255))");
        sql("CREATE TABLE volume_type_projects (id int AUTO_INCREMENT PRIMARY KEY, created_at datetime, "
                + "updated_at datetime, deleted_at datetime, volume_type_id varchar(36), project_id varchar(255), "
                + "deleted int)");
        sql("CREATE TABLE default_volume_types (created_at datetime, updated_at datetime, deleted_at datetime, "
                + "volume_type_id varchar(36), project_id varchar(255) NOT NULL PRIMARY KEY, deleted tinyint(1))");
        sql("CREATE TABLE workers (created_at datetime, updated_at datetime(6), deleted_at datetime, deleted tinyint(1), "
                + "id int AUTO_INCREMENT PRIMARY KEY, resource_type varchar(40) NOT NULL, resource_id varchar(36) NOT NULL, "
                + "status varchar(255) NOT NULL, service_id int, race_preventer int NOT NULL DEFAULT 0, "
                + "UNIQUE KEY (resource_type, resource_id))");
        sql("INSERT INTO volume_types (created_at, updated_at, deleted_at, deleted, id, name, qos_specs_id, "
                + "is_public, description) VALUES (utc_timestamp(), utc_timestamp(), NULL, 0, "
                + "'5e0ec7a0-0000-4000-8000-000000000001', '__DEFAULT__', NULL, 1, 'Default Volume Type')");
        sql("INSERT INTO volume_type_extra_specs (created_at, deleted, volume_type_id, `key`, value) VALUES "
                + "(utc_timestamp(), 0, '5e0ec7a0-0000-4000-8000-000000000001', 'volume_backend_name', 'ceph')");
    }

    @AfterAll
    static void tearDown() {
        if (vhost != null) {
            vhost.close();
        }
    }

    static void sql(String statement) throws Exception {
        try (var c = DriverManager.getConnection(jdbc(schemaUrl), TestDatabase.user(), TestDatabase.password());
             var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    static String query(String select) throws Exception {
        try (var c = DriverManager.getConnection(jdbc(schemaUrl), TestDatabase.user(), TestDatabase.password());
             var rs = c.createStatement().executeQuery(select)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String jdbc(String sqlAlchemyUrl) {
        return "jdbc:mariadb://" + sqlAlchemyUrl.substring(sqlAlchemyUrl.indexOf('@') + 1);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The API's part of a cinder.conf: no backup_driver, no Ember option. */
    static Config cinderConf(String dbUrl, int port) {
        return Config.empty()
                .with("DEFAULT", "host", "api-role-api-host")
                .with("DEFAULT", "transport_url", vhost.url())
                .with("DEFAULT", "auth_strategy", "noauth")
                .with("DEFAULT", "osapi_volume_listen", "127.0.0.1")
                .with("DEFAULT", "osapi_volume_listen_port", Integer.toString(port))
                .with("DEFAULT", "enabled_backends", "ceph")
                .with("database", "connection", dbUrl);
    }

    static HttpResponse<String> http(String method, int port, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/" + PROJECT + path))
                .header("X-Auth-Token", USER + ":" + PROJECT).header("OpenStack-API-Version", "volume 3.64")
                .timeout(java.time.Duration.ofSeconds(120));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The port from cinder.conf, the backup routes and volume reads, no volume writes, no manager. */
    @Test
    void bindsTheConfiguredPortAndRunsNoManager() throws Exception {
        int port = freePort();
        try (Ember ember = Ember.start(cinderConf(schemaUrl, port), Role.API)) {
            assertEquals(port, ember.port());
            assertNull(ember.manager(), "the api role runs no backup manager");
            assertEquals(200, http("GET", port, "/backups/detail", null).statusCode());
            assertEquals(200, http("GET", port, "/volumes/detail", null).statusCode());
            // Volume changes stay cinder-api's: no route, webob's bare 404.
            HttpResponse<String> create = http("POST", port, "/volumes", "{\"volume\": {\"size\": 1}}");
            assertEquals(404, create.statusCode(), create.body());
            assertEquals("0", query("SELECT count(*) FROM services WHERE host = 'api-role-api-host'"));
            assertFalse(vhost.ctl("list_queues", "-p", vhost.name, "name").stream()
                    .anyMatch(l -> l.strip().startsWith("cinder-backup")), "a cinder-backup queue was declared");
        }
    }

    /** cinder's database without tables is not migrated by an API either. */
    @Test
    void refusesADatabaseWithoutCinderSchema() throws Exception {
        String empty = TestDatabase.scratchSqlAlchemyUrl("apinoschema");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ember.start(cinderConf(empty, freePort()), Role.API));
        assertTrue(e.getMessage().contains("cinder-manage db sync"), e.getMessage());
        assertEquals(0L, Long.parseLong(queryOn(empty, "SELECT count(*) FROM information_schema.tables "
                + "WHERE table_schema = DATABASE()")));
    }

    static String queryOn(String url, String select) throws Exception {
        try (var c = DriverManager.getConnection(jdbc(url), TestDatabase.user(), TestDatabase.password());
             var rs = c.createStatement().executeQuery(select)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * A restore without a volume: the scheduler gets create_volume for a creating row of the
     * backup's size and the default type, the answer waits for the volume, then the restore is
     * cast to the backup's host. A volume that goes to error gets cinder's 400 instead.
     */
    @Test
    void restoreIntoANewVolumeGoesThroughTheScheduler() throws Exception {
        int port = freePort();
        String backupId = UUID.randomUUID().toString();
        sql("INSERT INTO services (created_at, updated_at, deleted, host, `binary`, topic, report_count, disabled, "
                + "availability_zone, rpc_current_version, object_current_version) VALUES (utc_timestamp(), "
                + "utc_timestamp(), 0, '" + BACKUP_HOST + "', 'cinder-backup', 'cinder-backup', 1, 0, 'nova', '2.3', '1.39')");
        sql("INSERT INTO backups (created_at, updated_at, deleted, id, volume_id, user_id, project_id, host, "
                + "display_name, status, size, object_count, num_dependent_backups, data_timestamp, service) VALUES "
                + "(utc_timestamp(), utc_timestamp(), 0, '" + backupId + "', '" + UUID.randomUUID() + "', '" + USER
                + "', '" + PROJECT + "', '" + BACKUP_HOST + "', 'b', 'available', 2, 0, 0, utc_timestamp(), "
                + "'cinder.backup.drivers.ceph.CephBackupDriver')");
        try (Ember ember = Ember.start(cinderConf(schemaUrl, port), Role.API);
             Connection amqp = connect(); Channel ch = amqp.createChannel()) {
            // Queues of our own beside the scheduler's and the backup host's (none runs here).
            String scheduler = ch.queueDeclare().getQueue();
            ch.queueBind(scheduler, "openstack", "cinder-scheduler");
            String backupHost = ch.queueDeclare().getQueue();
            ch.queueBind(backupHost, "openstack", "cinder-backup." + BACKUP_HOST);

            CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return http("POST", port, "/backups/" + backupId + "/restore", "{\"restore\": {}}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            RpcRequest create = next(ch, scheduler);
            assertEquals("create_volume", create.method());
            VersionedObject volume = (VersionedObject) create.args().get("volume");
            String volumeId = volume.string("id");
            assertEquals(2, ((Number) volume.get("size")).intValue());
            assertEquals("restore_backup_" + backupId, volume.string("display_name"));
            assertEquals("5e0ec7a0-0000-4000-8000-000000000001", volume.string("volume_type_id"));
            VersionedObject spec = (VersionedObject) create.args().get("request_spec");
            VersionedObject type = (VersionedObject) spec.get("volume_type");
            assertEquals(java.util.Map.of("volume_backend_name", "ceph"), type.get("extra_specs"));
            assertEquals("creating", query("SELECT status FROM volumes WHERE id = '" + volumeId + "'"));
            assertEquals("creating", query("SELECT status FROM workers WHERE resource_id = '" + volumeId + "'"));
            assertEquals("1", query("SELECT in_use FROM quota_usages WHERE project_id = '" + PROJECT
                    + "' AND resource = 'volumes___DEFAULT__'"));
            assertEquals("2", query("SELECT in_use FROM quota_usages WHERE project_id = '" + PROJECT
                    + "' AND resource = 'gigabytes'"));
            assertEquals(4L, ((java.util.List<?>) ((VersionedObject) spec.get("volume_properties"))
                    .get("reservations")).size());
            assertFalse(answer.isDone(), "answered before the volume left creating");

            // cinder-volume made it.
            sql("UPDATE volumes SET status = 'available', host = 'h@ceph#ceph' WHERE id = '" + volumeId + "'");
            HttpResponse<String> r = answer.get(60, TimeUnit.SECONDS);
            assertEquals(202, r.statusCode(), r.body());
            assertEquals(volumeId, new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body())
                    .at("/restore/volume_id").asText(), r.body());
            RpcRequest restore = next(ch, backupHost);
            assertEquals("restore_backup", restore.method());
            assertEquals(volumeId, restore.args().get("volume_id"));
            assertEquals("restoring-backup", query("SELECT status FROM volumes WHERE id = '" + volumeId + "'"));
            assertEquals("restoring", query("SELECT status FROM backups WHERE id = '" + backupId + "'"));

            // Again, and this time cinder-volume fails.
            sql("UPDATE backups SET status = 'available' WHERE id = '" + backupId + "'");
            CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return http("POST", port, "/backups/" + backupId + "/restore", "{\"restore\": {}}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String failed = ((VersionedObject) next(ch, scheduler).args().get("volume")).string("id");
            sql("UPDATE volumes SET status = 'error' WHERE id = '" + failed + "'");
            HttpResponse<String> refused = second.get(60, TimeUnit.SECONDS);
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("Error while creating volume " + failed + " for restoring backup "
                    + backupId + "."), refused.body());
            assertEquals("available", query("SELECT status FROM backups WHERE id = '" + backupId + "'"));
            assertNull(ch.basicGet(backupHost, true), "a restore was cast for a volume in error");
        }
    }

    static Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(vhost.host());
        f.setPort(vhost.port());
        f.setUsername("guest");
        f.setPassword("guest");
        f.setVirtualHost(vhost.name);
        return f.newConnection();
    }

    /** The next message on {@code queue}, decoded; fails after 60 s. */
    static RpcRequest next(Channel ch, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            GetResponse g = ch.basicGet(queue, true);
            if (g != null) {
                RpcRequest r = OsloCodec.decodeRequest(g.getBody());
                assertNotNull(r.method());
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing on " + queue + " within 60 s");
    }
}
