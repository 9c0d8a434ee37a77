package dev.ember.db;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.ember.db.generated.Tables.QUOTAS;
import static dev.ember.db.generated.Tables.QUOTA_CLASSES;
import static dev.ember.db.generated.Tables.QUOTA_USAGES;
import static dev.ember.db.generated.Tables.SNAPSHOTS;
import static dev.ember.db.generated.Tables.VOLUMES;

/**
 * cinder's quota limits and usages as its quota API reads them (cinder/db/sqlalchemy/api.py
 * {@code quota_get_all_by_project}, {@code quota_class_get_all_by_name},
 * {@code quota_usage_get_all_by_project}) and writes them ({@code quota_create}/{@code _update},
 * {@code quota_class_create}/{@code _update}, {@code quota_destroy_by_project}). Blocking.
 */
public final class QuotaSetRepository {

    /** A usage row: what cinder's quota_usages holds for one resource. */
    public record Usage(int inUse, int reserved) {
    }

    /** Live usage counted from the volume tables, overall and by volume type id (null = untyped). */
    public record Counted(int volumes, int gigabytes, int snapshots,
                          Map<String, Integer> volumesByType, Map<String, Integer> gigabytesByType,
                          Map<String, Integer> snapshotsByType) {
    }

    private static Condition liveQuota() {
        return QUOTAS.DELETED.eq((byte) 0).or(QUOTAS.DELETED.isNull());
    }

    private static Condition liveClass() {
        return QUOTA_CLASSES.DELETED.eq((byte) 0).or(QUOTA_CLASSES.DELETED.isNull());
    }

    /** The project's own limits (resource → hard_limit). */
    public Map<String, Integer> projectLimits(DSLContext dsl, String projectId) {
        Map<String, Integer> out = new LinkedHashMap<>();
        dsl.select(QUOTAS.RESOURCE, QUOTAS.HARD_LIMIT).from(QUOTAS).where(QUOTAS.PROJECT_ID.eq(projectId))
                .and(liveQuota()).orderBy(QUOTAS.ID).forEach(r -> out.put(r.value1(), r.value2()));
        return out;
    }

    /** A quota class's limits (resource → hard_limit). */
    public Map<String, Integer> classLimits(DSLContext dsl, String className) {
        Map<String, Integer> out = new LinkedHashMap<>();
        dsl.select(QUOTA_CLASSES.RESOURCE, QUOTA_CLASSES.HARD_LIMIT).from(QUOTA_CLASSES)
                .where(QUOTA_CLASSES.CLASS_NAME.eq(className)).and(liveClass()).orderBy(QUOTA_CLASSES.ID)
                .forEach(r -> out.put(r.value1(), r.value2()));
        return out;
    }

    /** The project's quota_usages rows (resource → in_use, reserved). */
    public Map<String, Usage> usages(DSLContext dsl, String projectId) {
        Map<String, Usage> out = new LinkedHashMap<>();
        dsl.select(QUOTA_USAGES.RESOURCE, QUOTA_USAGES.IN_USE, QUOTA_USAGES.RESERVED).from(QUOTA_USAGES)
                .where(QUOTA_USAGES.PROJECT_ID.eq(projectId))
                .and(QUOTA_USAGES.DELETED.eq((byte) 0).or(QUOTA_USAGES.DELETED.isNull()))
                .orderBy(QUOTA_USAGES.ID)
                .forEach(r -> out.putIfAbsent(r.value1(), new Usage(r.value2() == null ? 0 : r.value2(),
                        r.value3() == null ? 0 : r.value3())));
        return out;
    }

    /**
     * The project's volumes, their gigabytes (volume sizes plus the sizes of their snapshots, as
     * cinder's snapshot reservations add them) and snapshots, counted from the live rows that
     * consume quota.
     */
    public Counted count(DSLContext dsl, String projectId) {
        Map<String, Integer> volsByType = new LinkedHashMap<>();
        Map<String, Integer> gbByType = new LinkedHashMap<>();
        Map<String, Integer> snapsByType = new LinkedHashMap<>();
        int vols = 0;
        int gb = 0;
        int snaps = 0;
        for (var r : dsl.select(VOLUMES.VOLUME_TYPE_ID, DSL.count(), DSL.coalesce(DSL.sum(VOLUMES.SIZE), BigDecimal.ZERO))
                .from(VOLUMES).where(VOLUMES.PROJECT_ID.eq(projectId))
                .and(VOLUMES.DELETED.eq((byte) 0).or(VOLUMES.DELETED.isNull()))
                .and(VOLUMES.USE_QUOTA.isNull().or(VOLUMES.USE_QUOTA.ne((byte) 0)))
                .groupBy(VOLUMES.VOLUME_TYPE_ID).fetch()) {
            vols += r.value2();
            gb += r.value3().intValue();
            volsByType.merge(String.valueOf(r.value1()), r.value2(), Integer::sum);
            gbByType.merge(String.valueOf(r.value1()), r.value3().intValue(), Integer::sum);
        }
        for (var r : dsl.select(SNAPSHOTS.VOLUME_TYPE_ID, DSL.count(),
                        DSL.coalesce(DSL.sum(SNAPSHOTS.VOLUME_SIZE), BigDecimal.ZERO))
                .from(SNAPSHOTS).where(SNAPSHOTS.PROJECT_ID.eq(projectId))
                .and(SNAPSHOTS.DELETED.eq((byte) 0).or(SNAPSHOTS.DELETED.isNull()))
                .and(SNAPSHOTS.USE_QUOTA.isNull().or(SNAPSHOTS.USE_QUOTA.ne((byte) 0)))
                .groupBy(SNAPSHOTS.VOLUME_TYPE_ID).fetch()) {
            snaps += r.value2();
            gb += r.value3().intValue();
            snapsByType.merge(String.valueOf(r.value1()), r.value2(), Integer::sum);
            gbByType.merge(String.valueOf(r.value1()), r.value3().intValue(), Integer::sum);
        }
        return new Counted(vols, gb, snaps, volsByType, gbByType, snapsByType);
    }

    /** cinder's quota_update, else quota_create: the project's limit for one resource. */
    public void setProjectLimit(DSLContext dsl, String projectId, String resource, int limit) {
        LocalDateTime now = BackupRepository.now();
        int n = dsl.update(QUOTAS).set(QUOTAS.HARD_LIMIT, limit).set(QUOTAS.UPDATED_AT, now)
                .where(QUOTAS.PROJECT_ID.eq(projectId)).and(QUOTAS.RESOURCE.eq(resource)).and(liveQuota()).execute();
        if (n == 0) {
            dsl.insertInto(QUOTAS).set(QUOTAS.CREATED_AT, now).set(QUOTAS.UPDATED_AT, now)
                    .set(QUOTAS.DELETED, (byte) 0).set(QUOTAS.PROJECT_ID, projectId).set(QUOTAS.RESOURCE, resource)
                    .set(QUOTAS.HARD_LIMIT, limit).set(QUOTAS.ALLOCATED, 0).execute();
        }
    }

    /** cinder's quota_destroy_by_project: the limits go, usages and reservations stay. */
    public void destroyProjectLimits(DSLContext dsl, String projectId) {
        LocalDateTime now = BackupRepository.now();
        dsl.update(QUOTAS).set(QUOTAS.DELETED, (byte) 1).set(QUOTAS.DELETED_AT, now).set(QUOTAS.UPDATED_AT, now)
                .where(QUOTAS.PROJECT_ID.eq(projectId)).and(liveQuota()).execute();
    }

    /** cinder's quota_class_update, else quota_class_create. */
    public void setClassLimit(DSLContext dsl, String className, String resource, int limit) {
        LocalDateTime now = BackupRepository.now();
        int n = dsl.update(QUOTA_CLASSES).set(QUOTA_CLASSES.HARD_LIMIT, limit).set(QUOTA_CLASSES.UPDATED_AT, now)
                .where(QUOTA_CLASSES.CLASS_NAME.eq(className)).and(QUOTA_CLASSES.RESOURCE.eq(resource))
                .and(liveClass()).execute();
        if (n == 0) {
            dsl.insertInto(QUOTA_CLASSES).set(QUOTA_CLASSES.CREATED_AT, now).set(QUOTA_CLASSES.UPDATED_AT, now)
                    .set(QUOTA_CLASSES.DELETED, (byte) 0).set(QUOTA_CLASSES.CLASS_NAME, className)
                    .set(QUOTA_CLASSES.RESOURCE, resource).set(QUOTA_CLASSES.HARD_LIMIT, limit).execute();
        }
    }
}
