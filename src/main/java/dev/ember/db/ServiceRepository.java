package dev.ember.db;

import org.jooq.DSLContext;

import java.time.LocalDateTime;
import java.util.List;

import static dev.ember.db.generated.Tables.SERVICES;

/**
 * cinder's {@code services} table: Ember registers itself as a {@code cinder-backup} service and
 * heartbeats, so cinder-api (and Ember's own API) see it as an up backup host.
 */
public final class ServiceRepository {

    public static final String BINARY = "cinder-backup";
    public static final String TOPIC = "cinder-backup";

    /** A live service row: host, availability zone, last heartbeat. */
    public record ServiceRow(String host, String availabilityZone, boolean disabled, LocalDateTime updatedAt) {
    }

    /** Creates the row for {@code host} if missing, else marks it up again. */
    public void register(DSLContext dsl, String host, String zone, String rpcVersion, String objectVersion) {
        LocalDateTime now = BackupRepository.now();
        int n = dsl.update(SERVICES)
                .set(SERVICES.UPDATED_AT, now)
                .set(SERVICES.AVAILABILITY_ZONE, zone)
                .set(SERVICES.RPC_CURRENT_VERSION, rpcVersion)
                .set(SERVICES.OBJECT_CURRENT_VERSION, objectVersion)
                .where(SERVICES.HOST.eq(host)).and(SERVICES.BINARY.eq(BINARY)).and(SERVICES.DELETED.eq((byte) 0))
                .execute();
        if (n == 0) {
            dsl.insertInto(SERVICES)
                    .set(SERVICES.CREATED_AT, now)
                    .set(SERVICES.UPDATED_AT, now)
                    .set(SERVICES.DELETED, (byte) 0)
                    .set(SERVICES.HOST, host)
                    .set(SERVICES.BINARY, BINARY)
                    .set(SERVICES.TOPIC, TOPIC)
                    .set(SERVICES.REPORT_COUNT, 0)
                    .set(SERVICES.DISABLED, (byte) 0)
                    .set(SERVICES.AVAILABILITY_ZONE, zone)
                    .set(SERVICES.RPC_CURRENT_VERSION, rpcVersion)
                    .set(SERVICES.OBJECT_CURRENT_VERSION, objectVersion)
                    .set(SERVICES.FROZEN, (byte) 0)
                    .set(SERVICES.UUID, java.util.UUID.randomUUID().toString())
                    .execute();
        }
    }

    /** cinder's report_state: bump report_count and updated_at. */
    public void heartbeat(DSLContext dsl, String host) {
        dsl.update(SERVICES)
                .set(SERVICES.REPORT_COUNT, SERVICES.REPORT_COUNT.plus(1))
                .set(SERVICES.UPDATED_AT, BackupRepository.now())
                .where(SERVICES.HOST.eq(host)).and(SERVICES.BINARY.eq(BINARY)).and(SERVICES.DELETED.eq((byte) 0))
                .execute();
    }

    /** The availability zone of the backup service on {@code host}, up or not. */
    public java.util.Optional<String> zoneOf(DSLContext dsl, String host) {
        return dsl.select(SERVICES.AVAILABILITY_ZONE).from(SERVICES)
                .where(SERVICES.BINARY.eq(BINARY)).and(SERVICES.DELETED.eq((byte) 0)).and(SERVICES.HOST.eq(host))
                .fetchOptional(r -> r.value1());
    }

    /** Enabled backup services whose heartbeat is younger than {@code downTimeSeconds}. */
    public List<ServiceRow> upBackupServices(DSLContext dsl, int downTimeSeconds) {
        LocalDateTime since = BackupRepository.now().minusSeconds(downTimeSeconds);
        return dsl.select(SERVICES.HOST, SERVICES.AVAILABILITY_ZONE, SERVICES.DISABLED, SERVICES.UPDATED_AT)
                .from(SERVICES)
                .where(SERVICES.BINARY.eq(BINARY)).and(SERVICES.DELETED.eq((byte) 0))
                .and(SERVICES.DISABLED.eq((byte) 0).or(SERVICES.DISABLED.isNull()))
                .and(SERVICES.UPDATED_AT.ge(since))
                .orderBy(SERVICES.HOST)
                .fetch(r -> new ServiceRow(r.value1(), r.value2(), false, r.value4()));
    }
}
