package dev.ember.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The real MariaDB the tests run against: {@code EMBER_TEST_DB_URL} (default the local server,
 * user ember/ember, which ./tests/run creates). Each test JVM works in a database of its own,
 * {@code <name>_<random>}, created on first use and dropped at exit, so concurrent runs (a
 * developer's and CI's, or two helpers') never see each other's tables.
 */
public final class TestDatabase {

    private static String url;

    private TestDatabase() {
    }

    private static String baseUrl() {
        String v = System.getenv("EMBER_TEST_DB_URL");
        return v == null || v.isBlank() ? "jdbc:mariadb://127.0.0.1:3306/ember_test" : v;
    }

    public static synchronized String jdbcUrl() {
        if (url == null) {
            String base = baseUrl();
            int slash = base.lastIndexOf('/');
            String server = base.substring(0, slash + 1);
            String name = base.substring(slash + 1) + "_" + java.util.UUID.randomUUID().toString().substring(0, 8);
            try (Connection c = DriverManager.getConnection(base, user(), password()); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE `" + name + "`");
            } catch (Exception e) {
                throw new IllegalStateException("cannot create test database " + name + " (does user " + user()
                        + " have rights on " + base.substring(slash + 1) + "_%?): " + e.getMessage(), e);
            }
            url = server + name;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Connection c = DriverManager.getConnection(base, user(), password()); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS `" + name + "`");
                } catch (Exception ignored) {
                    // Best effort: a leftover test database is harmless.
                }
            }));
        }
        return url;
    }

    public static String user() {
        String v = System.getenv("EMBER_TEST_DB_USER");
        return v == null || v.isBlank() ? "ember" : v;
    }

    public static String password() {
        String v = System.getenv("EMBER_TEST_DB_PASSWORD");
        return v == null ? "ember" : v;
    }

    /**
     * Another empty database beside this JVM's, dropped at exit: for a test that must see a
     * database without tables, or must not share the services table with the rest of the suite.
     *
     * @return its SQLAlchemy URL, for Ember's [database] connection
     */
    public static String scratchSqlAlchemyUrl(String tag) {
        String own = jdbcUrl();
        String scratch = own + "_" + tag;
        String base = baseUrl();
        String name = scratch.substring(scratch.lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(base, user(), password()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE `" + name + "`");
        } catch (Exception e) {
            throw new IllegalStateException("cannot create scratch database " + name + ": " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Connection c = DriverManager.getConnection(base, user(), password()); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS `" + name + "`");
            } catch (Exception ignored) {
                // Best effort: a leftover test database is harmless.
            }
        }));
        return "mysql+pymysql://" + user() + ":" + password() + "@" + scratch.replaceFirst("^jdbc:mariadb://", "");
    }

    /** The same database as an SQLAlchemy URL, for Ember's [database] connection. */
    public static String sqlAlchemyUrl() {
        String hostAndDb = jdbcUrl().replaceFirst("^jdbc:mariadb://", "");
        return "mysql+pymysql://" + user() + ":" + password() + "@" + hostAndDb;
    }

    public static Connection connect() throws Exception {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    /** Drops every table, so a test run starts from an empty schema and exercises the migrations. */
    public static void reset() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SHOW TABLES")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            s.execute("SET FOREIGN_KEY_CHECKS=0");
            for (String t : tables) {
                s.execute("DROP TABLE `" + t + "`");
            }
            s.execute("SET FOREIGN_KEY_CHECKS=1");
        }
    }

    public static void execute(String sql, Object... args) throws Exception {
        try (Connection c = connect(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.execute();
        }
    }

    public static String queryString(String sql, Object... args) throws Exception {
        try (Connection c = connect(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
