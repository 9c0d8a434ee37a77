package dev.ember.db;

import org.jooq.DSLContext;
import org.jooq.Record2;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ember.db.generated.Tables.BACKUPS;
import static dev.ember.db.generated.Tables.QUOTAS;
import static dev.ember.db.generated.Tables.QUOTA_CLASSES;
import static dev.ember.db.generated.Tables.QUOTA_USAGES;
import static dev.ember.db.generated.Tables.RESERVATIONS;

/**
 * cinder's quota tables for the two backup resources. Usage is re-derived from the backups table
 * inside the reserving transaction, so it cannot drift the way a pure counter does; reservations
 * are written and committed like cinder's DbQuotaDriver so a cinder sharing the database sees
 * consistent rows.
 */
public final class QuotaRepository {


    /** A quota check failed. */
    public static final class OverQuotaException extends RuntimeException {
        public final List<String> overs;
        public final Map<String, Integer> limits;
        public final Map<String, Integer> consumed;

        OverQuotaException(List<String> overs, Map<String, Integer> limits, Map<String, Integer> consumed) {
            super("over quota: " + overs);
            this.overs = overs;
            this.limits = limits;
            this.consumed = consumed;
        }
    }

    private final Map<String, Integer> defaults;

    /** @param defaults config defaults (quota_backups, quota_backup_gigabytes) by resource */
    public QuotaRepository(Map<String, Integer> defaults) {
        this.defaults = Map.copyOf(defaults);
    }

    /** Project limit, else the {@code default} quota class, else the config default; -1 = unlimited. */
    public int limit(DSLContext dsl, String projectId, String resource) {
        Integer project = dsl.select(QUOTAS.HARD_LIMIT).from(QUOTAS)
                .where(QUOTAS.PROJECT_ID.eq(projectId)).and(QUOTAS.RESOURCE.eq(resource))
                .and(QUOTAS.DELETED.eq((byte) 0)).limit(1).fetchOne(QUOTAS.HARD_LIMIT);
        if (project != null) {
            return project;
        }
        Integer cls = dsl.select(QUOTA_CLASSES.HARD_LIMIT).from(QUOTA_CLASSES)
                .where(QUOTA_CLASSES.CLASS_NAME.eq("default")).and(QUOTA_CLASSES.RESOURCE.eq(resource))
                .and(QUOTA_CLASSES.DELETED.eq((byte) 0)).limit(1).fetchOne(QUOTA_CLASSES.HARD_LIMIT);
        if (cls != null) {
            return cls;
        }
        return defaults.getOrDefault(resource, -1);
    }

    /**
     * How a project's usage of a resource is counted when it has no usage row yet, as cinder's
     * quota sync functions count it from the resource's own table.
     */
    @FunctionalInterface
    public interface UsageCount {
        int inUse(DSLContext dsl, String projectId, String resource);
    }

    /** The backup resources' usage: the project's live backups and their sizes. */
    public static int backupUsage(DSLContext dsl, String projectId, String resource) {
        Record2<Integer, java.math.BigDecimal> actual = dsl.select(
                        org.jooq.impl.DSL.count(), org.jooq.impl.DSL.coalesce(org.jooq.impl.DSL.sum(BACKUPS.SIZE), java.math.BigDecimal.ZERO))
                .from(BACKUPS).where(BACKUPS.PROJECT_ID.eq(projectId)).and(BackupRepository.live()).fetchOne();
        return dev.ember.model.QuotaResources.BACKUP_GIGABYTES.equals(resource) ? actual.value2().intValue() : actual.value1();
    }

    /**
     * Reserves and immediately commits {@code deltas} for the project, in the caller's
     * transaction. Positive deltas are checked against the limits (cinder checks
     * {@code in_use + reserved + delta <= limit}); negative deltas always pass.
     */
    public List<String> reserveAndCommit(DSLContext dsl, String projectId, Map<String, Integer> deltas) {
        return reserveAndCommit(dsl, projectId, deltas, QuotaRepository::backupUsage);
    }

    /**
     * As above for any resources, {@code firstUsage} counting a resource the project has no usage
     * row for; answers the reservations' uuids in the order of {@code deltas}.
     */
    public List<String> reserveAndCommit(DSLContext dsl, String projectId, Map<String, Integer> deltas,
                                         UsageCount firstUsage) {
        LocalDateTime now = BackupRepository.now();
        // The usage rows, locked: every change of the project's backups goes through here, so
        // their in_use, read with the lock (which sees the latest committed value, unlike a plain
        // read of this transaction's snapshot), is the count cinder's quota engine keeps. Counting
        // the backups table instead would have to lock its rows, and cinder's table has no index
        // but the primary key: that would lock every project's backups.
        Map<String, dev.ember.db.generated.tables.records.QuotaUsagesRecord> usages = new LinkedHashMap<>();
        for (String res : deltas.keySet()) {
            usages.put(res, dsl.selectFrom(QUOTA_USAGES).where(QUOTA_USAGES.PROJECT_ID.eq(projectId))
                    .and(QUOTA_USAGES.RESOURCE.eq(res)).and(QUOTA_USAGES.DELETED.eq((byte) 0))
                    .orderBy(QUOTA_USAGES.ID).limit(1).forUpdate().fetchOptional().orElse(null));
        }
        Map<String, Integer> inUse = new LinkedHashMap<>();
        for (Map.Entry<String, dev.ember.db.generated.tables.records.QuotaUsagesRecord> u : usages.entrySet()) {
            if (u.getValue() != null) {
                inUse.put(u.getKey(), Math.max(0, u.getValue().getInUse() == null ? 0 : u.getValue().getInUse()));
            } else {
                // A project's first quota change: its usage starts from what the table holds. Two
                // first changes racing both insert; InnoDB makes one a deadlock victim, and the
                // retried transaction then finds the other's row.
                inUse.put(u.getKey(), firstUsage.inUse(dsl, projectId, u.getKey()));
            }
        }

        List<String> overs = new ArrayList<>();
        Map<String, Integer> limits = new LinkedHashMap<>();
        Map<String, Integer> consumed = new LinkedHashMap<>();
        Map<String, Integer> usageIds = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> d : deltas.entrySet()) {
            String res = d.getKey();
            var usage = usages.get(res);
            int reserved;
            if (usage == null) {
                usage = dsl.newRecord(QUOTA_USAGES);
                usage.setProjectId(projectId);
                usage.setResource(res);
                usage.setInUse(inUse.get(res));
                usage.setReserved(0);
                usage.setCreatedAt(now);
                usage.setUpdatedAt(now);
                usage.setDeleted((byte) 0);
                usage.store();
                reserved = 0;
            } else {
                reserved = Math.max(0, usage.getReserved() == null ? 0 : usage.getReserved());
            }
            usageIds.put(res, usage.getId());
            int limit = limit(dsl, projectId, res);
            limits.put(res, limit);
            consumed.put(res, inUse.get(res) + reserved);
            if (d.getValue() > 0 && limit >= 0 && limit < d.getValue() + inUse.get(res) + reserved) {
                overs.add(res);
            }
        }
        if (!overs.isEmpty()) {
            throw new OverQuotaException(overs, limits, consumed);
        }
        List<String> uuids = new ArrayList<>();
        for (Map.Entry<String, Integer> d : deltas.entrySet()) {
            // A reservation row as cinder writes it, committed at once (deleted=1).
            String uuid = UUID.randomUUID().toString();
            uuids.add(uuid);
            dsl.insertInto(RESERVATIONS)
                    .set(RESERVATIONS.CREATED_AT, now).set(RESERVATIONS.UPDATED_AT, now)
                    .set(RESERVATIONS.DELETED_AT, now).set(RESERVATIONS.DELETED, (byte) 1)
                    .set(RESERVATIONS.UUID, uuid)
                    .set(RESERVATIONS.USAGE_ID, usageIds.get(d.getKey()))
                    .set(RESERVATIONS.PROJECT_ID, projectId).set(RESERVATIONS.RESOURCE, d.getKey())
                    .set(RESERVATIONS.DELTA, d.getValue()).set(RESERVATIONS.EXPIRE, now.plusDays(1))
                    .execute();
            dsl.update(QUOTA_USAGES).set(QUOTA_USAGES.IN_USE, QUOTA_USAGES.IN_USE.plus(d.getValue()))
                    .set(QUOTA_USAGES.UPDATED_AT, now).where(QUOTA_USAGES.ID.eq(usageIds.get(d.getKey()))).execute();
        }
        return uuids;
    }
}
