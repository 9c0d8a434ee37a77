package dev.ember.db;

import dev.ember.db.generated.tables.records.SnapshotsRecord;
import dev.ember.model.Snapshot;
import dev.ember.model.ProjectScope;
import dev.ember.model.SnapshotStatus;
import dev.ember.model.SnapshotTransition;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;

import java.time.LocalDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.ember.db.generated.Tables.SNAPSHOTS;

/** Reads and writes cinder's {@code snapshots} table. Blocking. */
public final class SnapshotRepository {

    static Condition live() {
        return SNAPSHOTS.DELETED.eq((byte) 0).or(SNAPSHOTS.DELETED.isNull());
    }

    public Optional<Snapshot> find(DSLContext dsl, String id) {
        return dsl.selectFrom(SNAPSHOTS).where(SNAPSHOTS.ID.eq(id)).and(live()).fetchOptional()
                .map(SnapshotRepository::toSnapshot);
    }

    public Optional<Snapshot> lock(DSLContext dsl, String id) {
        return dsl.selectFrom(SNAPSHOTS).where(SNAPSHOTS.ID.eq(id)).and(live()).forUpdate().fetchOptional()
                .map(SnapshotRepository::toSnapshot);
    }

    /**
     * Live snapshots of {@code scope}'s projects, newest first; {@code volumeId},
     * {@code status} and {@code name} null for no filter.
     */
    public List<Snapshot> list(DSLContext dsl, ProjectScope scope, String volumeId, String status, String name,
                               int limit, int offset) {
        Condition c = live().and(ProjectScopes.condition(scope, SNAPSHOTS.PROJECT_ID));
        if (volumeId != null) {
            c = c.and(SNAPSHOTS.VOLUME_ID.eq(volumeId));
        }
        if (status != null) {
            c = c.and(SNAPSHOTS.STATUS.eq(status));
        }
        if (name != null) {
            c = c.and(SNAPSHOTS.DISPLAY_NAME.eq(name));
        }
        return dsl.selectFrom(SNAPSHOTS).where(c).orderBy(SNAPSHOTS.CREATED_AT.desc(), SNAPSHOTS.ID.desc())
                .limit(limit).offset(offset).fetch().map(SnapshotRepository::toSnapshot);
    }

    public int countOfVolume(DSLContext dsl, String volumeId) {
        return dsl.fetchCount(SNAPSHOTS, live().and(SNAPSHOTS.VOLUME_ID.eq(volumeId)));
    }

    public void insert(DSLContext dsl, Snapshot s) {
        SnapshotsRecord r = dsl.newRecord(SNAPSHOTS);
        r.setId(s.id());
        r.setVolumeId(s.volumeId());
        r.setUserId(s.userId());
        r.setProjectId(s.projectId());
        r.setStatus(s.status());
        r.setProgress(s.progress());
        r.setVolumeSize(s.volumeSize());
        r.setDisplayName(s.displayName());
        r.setDisplayDescription(s.displayDescription());
        r.setVolumeTypeId(s.volumeTypeId());
        r.setGroupSnapshotId(s.groupSnapshotId());
        r.setUseQuota((byte) (s.useQuota() ? 1 : 0));
        r.setCreatedAt(s.createdAt());
        r.setUpdatedAt(s.updatedAt());
        r.setDeleted((byte) 0);
        r.store();
    }

    /**
     * Applies {@code t} to the snapshot as a compare-and-set from {@code t.from()}, with
     * {@code changes} to other columns. Returns whether it moved.
     */
    public boolean apply(DSLContext dsl, SnapshotTransition t, String id, Map<Field<?>, Object> changes) {
        Map<Field<?>, Object> all = new LinkedHashMap<>(changes);
        all.put(SNAPSHOTS.STATUS, t.to().value());
        all.putIfAbsent(SNAPSHOTS.UPDATED_AT, BackupRepository.now());
        return dsl.update(SNAPSHOTS).set(all).where(SNAPSHOTS.ID.eq(id)).and(live())
                .and(SNAPSHOTS.STATUS.in(t.from().stream().map(SnapshotStatus::value).toList()))
                .execute() == 1;
    }

    /** Sets columns of one live snapshot; the status changes only by a {@link SnapshotTransition}. */
    public void update(DSLContext dsl, String id, Map<Field<?>, Object> changes) {
        if (changes.containsKey(SNAPSHOTS.STATUS)) {
            throw new IllegalArgumentException("the status of snapshot " + id + " changes only by a transition");
        }
        Map<Field<?>, Object> all = new LinkedHashMap<>(changes);
        all.putIfAbsent(SNAPSHOTS.UPDATED_AT, BackupRepository.now());
        dsl.update(SNAPSHOTS).set(all).where(SNAPSHOTS.ID.eq(id)).and(live()).execute();
    }

    public void softDelete(DSLContext dsl, String id) {
        LocalDateTime now = BackupRepository.now();
        dsl.update(SNAPSHOTS).set(SNAPSHOTS.STATUS, "deleted").set(SNAPSHOTS.DELETED, (byte) 1)
                .set(SNAPSHOTS.DELETED_AT, now).set(SNAPSHOTS.UPDATED_AT, now)
                .where(SNAPSHOTS.ID.eq(id)).execute();
    }

    static Snapshot toSnapshot(SnapshotsRecord r) {
        return new Snapshot(r.getId(), r.getVolumeId(), r.getUserId(), r.getProjectId(), r.getStatus(),
                r.getProgress(), r.getVolumeSize() == null ? 0 : r.getVolumeSize(), r.getDisplayName(),
                r.getDisplayDescription(), r.getVolumeTypeId(), r.getGroupSnapshotId(),
                r.getUseQuota() == null || r.getUseQuota() != 0, r.getCreatedAt(), r.getUpdatedAt());
    }
}
