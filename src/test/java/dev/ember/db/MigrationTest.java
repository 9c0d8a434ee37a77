package dev.ember.db;

import dev.ember.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ember adopts an existing cinder schema untouched, and creates the tables in an empty one. */
class MigrationTest {

    /** cinder's backups table as `cinder-manage db sync` creates it, with one column Ember does not know. */
    private static final String CINDER_BACKUPS = """
            CREATE TABLE `backups` (
              `created_at` datetime DEFAULT NULL, `updated_at` datetime DEFAULT NULL,
              `deleted_at` datetime DEFAULT NULL, `deleted` tinyint(1) DEFAULT NULL,
              `id` varchar(36) NOT NULL, `volume_id` varchar(36) NOT NULL,
              `user_id` varchar(255) DEFAULT NULL, `project_id` varchar(255) DEFAULT NULL,
              `host` varchar(255) DEFAULT NULL, `availability_zone` varchar(255) DEFAULT NULL,
              `display_name` varchar(255) DEFAULT NULL, `display_description` varchar(255) DEFAULT NULL,
              `container` varchar(255) DEFAULT NULL, `status` varchar(255) DEFAULT NULL,
              `fail_reason` varchar(255) DEFAULT NULL, `service_metadata` varchar(255) DEFAULT NULL,
              `service` varchar(255) DEFAULT NULL, `size` int(11) DEFAULT NULL,
              `object_count` int(11) DEFAULT NULL, `parent_id` varchar(36) DEFAULT NULL,
              `temp_volume_id` varchar(36) DEFAULT NULL, `temp_snapshot_id` varchar(36) DEFAULT NULL,
              `num_dependent_backups` int(11) DEFAULT NULL, `snapshot_id` varchar(36) DEFAULT NULL,
              `data_timestamp` datetime DEFAULT NULL, `restore_volume_id` varchar(36) DEFAULT NULL,
              `encryption_key_id` varchar(36) DEFAULT NULL, `future_cinder_column` varchar(36) DEFAULT NULL,
              PRIMARY KEY (`id`),
              CONSTRAINT `CONSTRAINT_1` CHECK (`deleted` in (0,1))
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci""";

    @Test
    void existingCinderTablesAreAdoptedUnchanged() throws Exception {
        String name = "mig_" + UUID.randomUUID().toString().substring(0, 8);
        String url = TestDatabase.jdbcUrl();
        String server = url.substring(0, url.lastIndexOf('/') + 1);
        // A schema of its own inside the per-JVM test database namespace.
        String db = url.substring(url.lastIndexOf('/') + 1) + "_" + name;
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE `" + db + "`");
        }
        try {
            String before;
            try (Connection c = DriverManager.getConnection(server + db, TestDatabase.user(), TestDatabase.password());
                 Statement s = c.createStatement()) {
                s.execute(CINDER_BACKUPS);
                s.execute("INSERT INTO backups (id, volume_id, status, deleted) VALUES ('b1', 'v1', 'available', 0)");
                before = showCreate(s, "backups");
            }
            try (Database d = Database.open(SqlAlchemyUrl.parse("mysql+pymysql://" + TestDatabase.user() + ":"
                    + TestDatabase.password() + "@" + server.replaceFirst("^jdbc:mariadb://", "") + db), 2)) {
                d.migrate();
                d.migrate(); // idempotent on restart
                assertEquals("available", new BackupRepository().find(d.dsl(), "b1").orElseThrow().status().value());
            }
            try (Connection c = DriverManager.getConnection(server + db, TestDatabase.user(), TestDatabase.password());
                 Statement s = c.createStatement()) {
                assertEquals(before, showCreate(s, "backups"), "cinder's table was altered");
                for (String t : new String[]{"volumes", "services", "quotas", "quota_usages", "reservations",
                        "backup_metadata", "ember_schema_history"}) {
                    assertTrue(showCreate(s, t).contains("CREATE TABLE"), t + " was not created");
                }
            }
        } finally {
            try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS `" + db + "`");
            }
        }
    }

    private static String showCreate(Statement s, String table) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW CREATE TABLE `" + table + "`")) {
            rs.next();
            return rs.getString(2);
        }
    }
}
