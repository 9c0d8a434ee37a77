package dev.ember.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ember.error.DatabaseUnavailableException;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * The connection pool, the migrations and the jOOQ context. All use of it is blocking JDBC and
 * belongs on worker threads.
 */
public final class Database implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final DSLContext dsl;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.dsl = DSL.using(dataSource, SQLDialect.MARIADB,
                new Settings().withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_QUOTED)
                        .withRenderSchema(false));
    }

    public static Database open(SqlAlchemyUrl url, int poolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            hc.setUsername(url.user());
        }
        if (url.password() != null) {
            hc.setPassword(url.password());
        }
        hc.setMaximumPoolSize(poolSize);
        hc.setPoolName("ember-db");
        // Fail fast when MariaDB is down rather than parking API requests for 30 s.
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(-1);
        // cinder stores naive UTC datetimes; keep the session in UTC so NOW() agrees with Java.
        hc.setConnectionInitSql("SET time_zone = '+00:00'");
        return new Database(new HikariDataSource(hc));
    }

    /**
     * Creates the tables Ember needs when they are missing. The history lives in Ember's own
     * table and every statement is CREATE TABLE IF NOT EXISTS, so an existing cinder schema is
     * adopted untouched.
     */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .table("ember_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** The cinder tables Ember reads and writes (the ones its migrations would create). */
    public static final java.util.List<String> CINDER_TABLES = java.util.List.of("services", "volumes",
            "volume_metadata", "backups", "backup_metadata", "quotas", "quota_classes", "quota_usages",
            "reservations", "snapshots", "volume_attachment");

    /**
     * Checks that cinder's schema is there without touching it: the backup role runs on cinder's
     * own database, which {@code cinder-manage db sync} made, and a cinder-backup does not change
     * a schema either.
     *
     * @throws IllegalArgumentException naming the missing tables
     */
    public void requireCinderSchema() {
        java.util.Set<String> present = new java.util.HashSet<>(dsl.fetchValues(
                "SELECT LOWER(table_name) FROM information_schema.tables WHERE table_schema = DATABASE()")
                .stream().map(String::valueOf).toList());
        java.util.List<String> missing = CINDER_TABLES.stream().filter(t -> !present.contains(t)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the database has no cinder tables " + missing
                    + ": run 'cinder-manage db sync' first (the backup role uses cinder's schema as it is)");
        }
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** How often a transaction that InnoDB chose as a deadlock victim is run again. */
    private static final int DEADLOCK_RETRIES = 5;

    /**
     * Runs {@code work} in one transaction; runtime exceptions roll it back and propagate as they
     * are, except that a database that cannot be reached is reported as a
     * {@link DatabaseUnavailableException}. A transaction rolled back as a deadlock victim (or
     * that timed out on a lock) is run again, a few times with a short random pause, as oslo.db's
     * retry_on_deadlock does for cinder: {@code work} only touches the database, so running it
     * again is safe.
     */
    public <T> T tx(java.util.function.Function<DSLContext, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return dsl.transactionResult(cfg -> work.apply(cfg.dsl()));
            } catch (RuntimeException e) {
                if (attempt > DEADLOCK_RETRIES || !DatabaseFaults.isRetryable(e)) {
                    throw unavailableAsSuch(e);
                }
                try {
                    Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(10, 50L * attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** {@code e}, or the {@link DatabaseUnavailableException} it means (once, also from a nested tx). */
    private static RuntimeException unavailableAsSuch(RuntimeException e) {
        if (e instanceof DatabaseUnavailableException || !DatabaseFaults.isUnavailable(e)) {
            return e;
        }
        return new DatabaseUnavailableException(e);
    }

    public void txRun(java.util.function.Consumer<DSLContext> work) {
        tx(d -> {
            work.accept(d);
            return null;
        });
    }

    /**
     * Like {@link #tx} but waits out a database outage (up to {@code patience}), for the writes
     * that end a piece of work: a finished backup must not stay {@code creating} because MariaDB
     * restarted at the moment it was recorded.
     */
    public <T> T txPatiently(java.util.function.Function<DSLContext, T> work, java.time.Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        long sleep = 200;
        while (true) {
            try {
                return tx(work);
            } catch (RuntimeException e) {
                if (!(e instanceof DatabaseUnavailableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.warn("database unavailable, retrying in {} ms: {}", sleep, e.getCause().toString());
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                sleep = Math.min(sleep * 2, 5_000);
            }
        }
    }

    public void txRunPatiently(java.util.function.Consumer<DSLContext> work, java.time.Duration patience) {
        txPatiently(dsl -> {
            work.accept(dsl);
            return null;
        }, patience);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
