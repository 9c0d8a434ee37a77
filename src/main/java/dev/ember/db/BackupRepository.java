package dev.ember.db;

import dev.ember.model.Backup;
import dev.ember.model.BackupQuery;
import dev.ember.model.BackupLifecycle;
import dev.ember.model.BackupStatus;
import dev.ember.model.BackupUpdate;
import dev.ember.db.generated.tables.records.BackupsRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SortField;
import org.jooq.impl.DSL;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static dev.ember.db.generated.Tables.BACKUPS;
import static dev.ember.db.generated.Tables.BACKUP_METADATA;

/** Reads and writes cinder's {@code backups} and {@code backup_metadata} tables. Blocking. */
public final class BackupRepository {

    /** Statuses of a child that count towards its parent's {@code num_dependent_backups}. */
    private static final List<String> DEPENDENT_STATUSES = java.util.stream.Stream.of(BackupStatus.AVAILABLE,
            BackupStatus.RESTORING, BackupStatus.DELETING, BackupStatus.ERROR_DELETING).map(BackupStatus::value).toList();

    public BackupRepository() {
    }

    public static LocalDateTime now() {
        // cinder keeps naive UTC datetimes at second precision in MySQL DATETIME columns.
        return LocalDateTime.now(ZoneOffset.UTC).withNano(0);
    }

    public static Condition live() {
        return BACKUPS.DELETED.eq((byte) 0).or(BACKUPS.DELETED.isNull());
    }

    public Optional<Backup> find(DSLContext dsl, String id) {
        return dsl.selectFrom(BACKUPS).where(BACKUPS.ID.eq(id)).and(live()).fetchOptional()
                .map(r -> toBackup(r, metadata(dsl, id)));
    }

    /** Including soft-deleted rows (import revives them). */
    public Optional<Backup> findIncludingDeleted(DSLContext dsl, String id) {
        return dsl.selectFrom(BACKUPS).where(BACKUPS.ID.eq(id)).fetchOptional()
                .map(r -> toBackup(r, Map.of()));
    }

    /** Locks the row for the rest of the transaction (state transitions are check-then-set). */
    public Optional<Backup> lock(DSLContext dsl, String id) {
        return dsl.selectFrom(BACKUPS).where(BACKUPS.ID.eq(id)).and(live()).forUpdate().fetchOptional()
                .map(r -> toBackup(r, metadata(dsl, id)));
    }

    public void insert(DSLContext dsl, Backup b) {
        BackupsRecord r = dsl.newRecord(BACKUPS);
        r.setId(b.id());
        r.setVolumeId(b.volumeId());
        r.setUserId(b.userId());
        r.setProjectId(b.projectId());
        r.setHost(b.host());
        r.setAvailabilityZone(b.availabilityZone());
        r.setDisplayName(b.displayName());
        r.setDisplayDescription(b.displayDescription());
        r.setContainer(b.container());
        r.setStatus(b.status().value());
        r.setFailReason(b.failReason());
        r.setServiceMetadata(b.serviceMetadata());
        r.setService(b.service());
        r.setSize(b.size());
        r.setObjectCount(b.objectCount());
        r.setParentId(b.parentId());
        r.setNumDependentBackups(b.numDependentBackups());
        r.setSnapshotId(b.snapshotId());
        r.setDataTimestamp(b.dataTimestamp());
        r.setRestoreVolumeId(b.restoreVolumeId());
        r.setEncryptionKeyId(b.encryptionKeyId());
        r.setCreatedAt(b.createdAt());
        r.setUpdatedAt(b.updatedAt());
        r.setDeleted((byte) 0);
        r.store();
        replaceMetadata(dsl, b.id(), b.metadata());
    }

    /** Overwrites an existing (possibly soft-deleted) row with {@code b}: import_record's revive. */
    public void revive(DSLContext dsl, Backup b) {
        dsl.deleteFrom(BACKUP_METADATA).where(BACKUP_METADATA.BACKUP_ID.eq(b.id())).execute();
        dsl.deleteFrom(BACKUPS).where(BACKUPS.ID.eq(b.id())).execute();
        insert(dsl, b);
    }

    /**
     * Sets columns of one live row. {@code changes} maps generated fields to values; the status
     * is not among them: it changes only by a transition of {@link BackupLifecycle} ({@link #apply}).
     */
    public void update(DSLContext dsl, String id, Map<Field<?>, Object> changes) {
        if (changes.containsKey(BACKUPS.STATUS)) {
            throw new IllegalArgumentException("the status of backup " + id + " changes only by a transition");
        }
        Map<Field<?>, Object> all = new LinkedHashMap<>(changes);
        all.putIfAbsent(BACKUPS.UPDATED_AT, now());
        dsl.update(BACKUPS).set(all).where(BACKUPS.ID.eq(id)).and(live()).execute();
    }

    /**
     * {@code PUT /backups/{id}}: the attributes {@code u} sets, on one live row; the row's
     * {@code updated_at} moves when anything changes, metadata included.
     */
    public void update(DSLContext dsl, String id, BackupUpdate u) {
        if (u.changesNothing()) {
            return;
        }
        update(dsl, id, columnsOf(u));
        if (u.metadata() != null) {
            replaceMetadata(dsl, id, u.metadata());
        }
    }

    /** The {@code backups} columns {@code u} sets: cinder's name and description are its display_ columns. */
    static Map<Field<?>, Object> columnsOf(BackupUpdate u) {
        Map<Field<?>, Object> columns = new LinkedHashMap<>();
        if (u.setsName()) {
            columns.put(BACKUPS.DISPLAY_NAME, u.name());
        }
        if (u.setsDescription()) {
            columns.put(BACKUPS.DISPLAY_DESCRIPTION, u.description());
        }
        return columns;
    }

    /**
     * Applies {@code t}'s change of the backup row as a compare-and-set: moves {@code id} to
     * {@code t.to()} only if its status is one of {@code t.from()} (with {@code expected} set,
     * only if it is still that status, which {@code t} must allow), with {@code changes} to other
     * columns. Returns whether it moved. This is how concurrent API calls and the manager avoid
     * acting on a backup whose state changed underneath them. {@link BackupLifecycle#DELETE_FINISHED}
     * is cinder's backup_destroy: a soft delete of the row and its metadata, whatever the status.
     */
    public boolean apply(DSLContext dsl, BackupLifecycle.Transition t, String id, BackupStatus expected,
                         Map<Field<?>, Object> changes) {
        if (!t.movesBackup()) {
            throw new IllegalArgumentException(t.name() + " does not change a backup row's status");
        }
        if (expected != null && !t.allows(expected)) {
            return false;
        }
        if (t.to() == BackupStatus.DELETED) {
            return softDelete(dsl, id);
        }
        Collection<BackupStatus> from = expected == null ? t.from() : Set.of(expected);
        Map<Field<?>, Object> all = new LinkedHashMap<>(changes);
        all.put(BACKUPS.STATUS, t.to().value());
        all.putIfAbsent(BACKUPS.UPDATED_AT, now());
        return dsl.update(BACKUPS).set(all)
                .where(BACKUPS.ID.eq(id)).and(live())
                .and(BACKUPS.STATUS.in(from.stream().map(BackupStatus::value).toList()))
                .execute() == 1;
    }

    private boolean softDelete(DSLContext dsl, String id) {
        LocalDateTime now = now();
        int n = dsl.update(BACKUPS)
                .set(BACKUPS.STATUS, BackupStatus.DELETED.value())
                .set(BACKUPS.DELETED, (byte) 1)
                .set(BACKUPS.DELETED_AT, now)
                .set(BACKUPS.UPDATED_AT, now)
                .where(BACKUPS.ID.eq(id)).execute();
        dsl.update(BACKUP_METADATA)
                .set(BACKUP_METADATA.DELETED, (byte) 1)
                .set(BACKUP_METADATA.DELETED_AT, now)
                .where(BACKUP_METADATA.BACKUP_ID.eq(id)).and(BACKUP_METADATA.DELETED.eq((byte) 0)).execute();
        return n == 1;
    }

    /** Live backups whose parent is {@code id}, in any status: they block delete-from-top. */
    public int countChildren(DSLContext dsl, String id) {
        return dsl.fetchCount(BACKUPS, BACKUPS.PARENT_ID.eq(id).and(live()));
    }

    /**
     * Recomputes the parent's {@code num_dependent_backups} from its live, completed children.
     * cinder increments and decrements a counter, which drifts when a child fails or is deleted
     * in error; deriving it in the same transaction as the child's change cannot drift.
     */
    public void refreshDependentCount(DSLContext dsl, String parentId) {
        if (parentId == null) {
            return;
        }
        int n = dsl.fetchCount(BACKUPS, BACKUPS.PARENT_ID.eq(parentId).and(live())
                .and(BACKUPS.STATUS.in(DEPENDENT_STATUSES)));
        dsl.update(BACKUPS).set(BACKUPS.NUM_DEPENDENT_BACKUPS, n).where(BACKUPS.ID.eq(parentId)).execute();
    }

    /**
     * cinder's parent choice for an incremental backup: the live backup of the volume (in the
     * project) with the newest {@code data_timestamp}, any status; with {@code before} set, only
     * backups whose data is older than it (backups from a snapshot).
     */
    public Optional<Backup> latestOfVolume(DSLContext dsl, String volumeId, String projectId, LocalDateTime before) {
        Condition c = BACKUPS.VOLUME_ID.eq(volumeId).and(BACKUPS.PROJECT_ID.eq(projectId)).and(live());
        if (before != null) {
            c = c.and(BACKUPS.DATA_TIMESTAMP.lt(before));
        }
        // DATETIME keeps seconds only, so two backups of one second tie on data_timestamp. Among
        // the newest, the chain's tip (the one no other newest backup names as parent) wins, so an
        // incremental never attaches to the middle of a chain.
        List<Backup> newest = dsl.selectFrom(BACKUPS).where(c)
                .and(BACKUPS.DATA_TIMESTAMP.eq(dsl.select(DSL.max(BACKUPS.DATA_TIMESTAMP)).from(BACKUPS).where(c)))
                .orderBy(BACKUPS.CREATED_AT.desc(), BACKUPS.ID.desc())
                .fetch().map(r -> toBackup(r, Map.of()));
        Set<String> parents = new java.util.HashSet<>();
        newest.forEach(b -> parents.add(b.parentId()));
        return newest.stream().filter(b -> !parents.contains(b.id())).findFirst().or(() -> newest.stream().findFirst());
    }

    /**
     * What a driver keeping state on the source volume must know about the volume's other live
     * backups (the manager hands it on as the driver's {@code SiblingBackups}): those of
     * {@code projectId}, and for every other project its newest one, cinder-api's parent for that
     * project's next incremental.
     */
    public record Siblings(Set<String> ownProject, Set<String> otherHeads) {
    }

    public Siblings siblingsOf(DSLContext dsl, String volumeId, String projectId, String backupId) {
        Set<String> own = new java.util.HashSet<>();
        Set<String> otherProjects = new java.util.TreeSet<>();
        dsl.select(BACKUPS.ID, BACKUPS.PROJECT_ID).from(BACKUPS)
                .where(BACKUPS.VOLUME_ID.eq(volumeId)).and(live()).and(BACKUPS.ID.ne(backupId))
                .fetch().forEach(r -> {
                    if (java.util.Objects.equals(r.value2(), projectId)) {
                        own.add(r.value1());
                    } else if (r.value2() != null) {
                        otherProjects.add(r.value2());
                    }
                });
        Set<String> heads = new java.util.HashSet<>();
        for (String other : otherProjects) {
            latestOfVolume(dsl, volumeId, other, null).ifPresent(b -> heads.add(b.id()));
        }
        return new Siblings(own, heads);
    }

    /** Backups owned by {@code host} in one of {@code statuses}: startup cleanup. */
    public List<Backup> ownedBy(DSLContext dsl, String host, Collection<BackupStatus> statuses) {
        return dsl.selectFrom(BACKUPS)
                .where(BACKUPS.HOST.eq(host)).and(live())
                .and(BACKUPS.STATUS.in(statuses.stream().map(BackupStatus::value).toList()))
                .fetch().map(r -> toBackup(r, Map.of()));
    }

    public static boolean isColumn(String column) {
        return BACKUPS.field(column) != null;
    }

    public List<Backup> list(DSLContext dsl, BackupQuery q) {
        Condition where = conditionOf(q);
        List<SortField<?>> order = new ArrayList<>();
        List<Field<Object>> keys = new ArrayList<>();
        List<Boolean> asc = new ArrayList<>();
        for (BackupQuery.SortKey k : withTiebreaker(q.sort())) {
            @SuppressWarnings("unchecked")
            Field<Object> f = (Field<Object>) BACKUPS.field(k.column());
            keys.add(f);
            asc.add(k.ascending());
            order.add(k.ascending() ? f.asc() : f.desc());
        }
        if (q.markerId() != null) {
            Record marker = dsl.select(keys).from(BACKUPS).where(BACKUPS.ID.eq(q.markerId())).fetchOne();
            if (marker != null) {
                where = where.and(after(keys, asc, marker));
            }
        }
        List<Backup> page = dsl.selectFrom(BACKUPS).where(where).orderBy(order).limit(q.limit()).offset(q.offset())
                .fetch().map(r -> toBackup(r, null));
        Map<String, Map<String, String>> md = metadataOf(dsl, page.stream().map(Backup::id).toList());
        return page.stream().map(b -> withMetadata(b, md.getOrDefault(b.id(), Map.of()))).toList();
    }

    /** The live metadata of each of the backups, in one query (not one per listed row). */
    private static Map<String, Map<String, String>> metadataOf(DSLContext dsl, List<String> backupIds) {
        Map<String, Map<String, String>> out = new HashMap<>();
        if (backupIds.isEmpty()) {
            return out;
        }
        dsl.select(BACKUP_METADATA.BACKUP_ID, BACKUP_METADATA.KEY, BACKUP_METADATA.VALUE).from(BACKUP_METADATA)
                .where(BACKUP_METADATA.BACKUP_ID.in(backupIds)).and(BACKUP_METADATA.DELETED.eq((byte) 0))
                .forEach(r -> out.computeIfAbsent(r.value1(), k -> new TreeMap<>()).put(r.value2(), r.value3()));
        return out;
    }

    public int count(DSLContext dsl, BackupQuery q) {
        return dsl.fetchCount(BACKUPS, conditionOf(q));
    }

    private static List<BackupQuery.SortKey> withTiebreaker(List<BackupQuery.SortKey> sort) {
        List<BackupQuery.SortKey> out = new ArrayList<>(sort);
        if (out.stream().noneMatch(k -> k.column().equals("id"))) {
            boolean asc = !out.isEmpty() && out.get(out.size() - 1).ascending();
            out.add(new BackupQuery.SortKey("id", asc));
        }
        return out;
    }

    // Keyset condition "strictly after the marker row" for a multi-column ordering.
    private static Condition after(List<Field<Object>> keys, List<Boolean> asc, Record marker) {
        Condition any = DSL.falseCondition();
        for (int i = 0; i < keys.size(); i++) {
            Condition eqPrefix = DSL.trueCondition();
            for (int j = 0; j < i; j++) {
                Object v = marker.get(j);
                eqPrefix = eqPrefix.and(v == null ? keys.get(j).isNull() : keys.get(j).eq(v));
            }
            Object v = marker.get(i);
            Condition beyond;
            if (v == null) {
                // NULLs sort first ascending in MariaDB: after NULL ascending is any non-NULL.
                beyond = asc.get(i) ? keys.get(i).isNotNull() : DSL.falseCondition();
            } else {
                beyond = asc.get(i) ? keys.get(i).gt(v) : keys.get(i).lt(v).or(keys.get(i).isNull());
            }
            any = any.or(eqPrefix.and(beyond));
        }
        return any;
    }

    private static Condition conditionOf(BackupQuery q) {
        Condition c = live();
        c = c.and(ProjectScopes.condition(q.scope(), BACKUPS.PROJECT_ID));
        for (Map.Entry<String, String> f : q.filters().entrySet()) {
            // cinder's apply_like_filters: a key ending in "~" is LIKE '%value%' on the column
            // named without the trailing "~"s; the value is not escaped, so % and _ stay wildcards.
            boolean like = f.getKey().endsWith("~");
            String column = like ? f.getKey().replaceAll("~+$", "") : f.getKey();
            @SuppressWarnings("unchecked")
            Field<Object> field = (Field<Object>) BACKUPS.field(column);
            if (field == null) {
                // cinder: an admin filter on a non-column matches nothing rather than erroring.
                return DSL.falseCondition();
            }
            c = c.and(like ? field.cast(String.class).like("%" + f.getValue() + "%")
                    : field.cast(String.class).eq(f.getValue()));
        }
        return c;
    }

    public Map<String, String> metadata(DSLContext dsl, String backupId) {
        return metadataOf(dsl, List.of(backupId)).getOrDefault(backupId, new TreeMap<>());
    }

    /** cinder saves backup metadata with delete=True: the new dict replaces all keys. */
    public void replaceMetadata(DSLContext dsl, String backupId, Map<String, String> metadata) {
        LocalDateTime now = now();
        dsl.update(BACKUP_METADATA).set(BACKUP_METADATA.DELETED, (byte) 1).set(BACKUP_METADATA.DELETED_AT, now)
                .where(BACKUP_METADATA.BACKUP_ID.eq(backupId)).and(BACKUP_METADATA.DELETED.eq((byte) 0)).execute();
        if (metadata == null) {
            return;
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            dsl.insertInto(BACKUP_METADATA)
                    .set(BACKUP_METADATA.BACKUP_ID, backupId)
                    .set(BACKUP_METADATA.KEY, e.getKey())
                    .set(BACKUP_METADATA.VALUE, e.getValue())
                    .set(BACKUP_METADATA.CREATED_AT, now)
                    .set(BACKUP_METADATA.DELETED, (byte) 0)
                    .execute();
        }
    }

    private static Backup withMetadata(Backup b, Map<String, String> md) {
        return new Backup(b.id(), b.volumeId(), b.userId(), b.projectId(), b.host(), b.availabilityZone(),
                b.displayName(), b.displayDescription(), b.container(), b.status(), b.failReason(),
                b.serviceMetadata(), b.service(), b.size(), b.objectCount(), b.parentId(), b.tempVolumeId(),
                b.tempSnapshotId(), b.numDependentBackups(), b.snapshotId(), b.dataTimestamp(),
                b.restoreVolumeId(), b.encryptionKeyId(), b.createdAt(), b.updatedAt(), b.deletedAt(),
                b.deleted(), Map.copyOf(md));
    }

    private static Backup toBackup(BackupsRecord r, Map<String, String> md) {
        return new Backup(r.getId(), r.getVolumeId(), r.getUserId(), r.getProjectId(), r.getHost(),
                r.getAvailabilityZone(), r.getDisplayName(), r.getDisplayDescription(), r.getContainer(),
                r.getStatus() == null ? BackupStatus.ERROR : BackupStatus.of(r.getStatus()),
                // cinder's ORM stores '' for a None fail_reason; the API shows null for both.
                r.getFailReason() == null || r.getFailReason().isEmpty() ? null : r.getFailReason(),
                r.getServiceMetadata(), r.getService(), zeroIfNull(r.getSize()), zeroIfNull(r.getObjectCount()),
                r.getParentId(), r.getTempVolumeId(), r.getTempSnapshotId(), zeroIfNull(r.getNumDependentBackups()),
                r.getSnapshotId(), r.getDataTimestamp(), r.getRestoreVolumeId(), r.getEncryptionKeyId(),
                r.getCreatedAt(), r.getUpdatedAt(), r.getDeletedAt(), r.getDeleted() != null && r.getDeleted() != 0,
                md == null ? Map.of() : Map.copyOf(md));
    }

    private static int zeroIfNull(Integer i) {
        return i == null ? 0 : i;
    }
}
