package dev.ember.db;

import dev.ember.db.generated.tables.records.VolumesRecord;
import dev.ember.model.Volume;
import dev.ember.model.ProjectScope;
import dev.ember.model.VolumeStatus;
import dev.ember.model.VolumeTransition;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;

import java.time.LocalDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.ember.db.generated.Tables.VOLUMES;
import static dev.ember.db.generated.Tables.VOLUME_METADATA;

/** Reads and writes cinder's {@code volumes} table. Blocking. */
public final class VolumeRepository {

    static Condition live() {
        return VOLUMES.DELETED.eq((byte) 0).or(VOLUMES.DELETED.isNull());
    }

    public Optional<Volume> find(DSLContext dsl, String id) {
        return dsl.selectFrom(VOLUMES).where(VOLUMES.ID.eq(id)).and(live()).fetchOptional().map(VolumeRepository::toVolume);
    }

    public Optional<Volume> lock(DSLContext dsl, String id) {
        return dsl.selectFrom(VOLUMES).where(VOLUMES.ID.eq(id)).and(live()).forUpdate().fetchOptional()
                .map(VolumeRepository::toVolume);
    }

    public List<Volume> list(DSLContext dsl, ProjectScope scope, int limit, int offset) {
        Condition c = live().and(ProjectScopes.condition(scope, VOLUMES.PROJECT_ID));
        return dsl.selectFrom(VOLUMES).where(c).orderBy(VOLUMES.CREATED_AT.desc(), VOLUMES.ID.desc())
                .limit(limit).offset(offset).fetch().map(VolumeRepository::toVolume);
    }

    public void insert(DSLContext dsl, Volume v) {
        VolumesRecord r = dsl.newRecord(VOLUMES);
        r.setId(v.id());
        r.setUserId(v.userId());
        r.setProjectId(v.projectId());
        r.setHost(v.host());
        r.setSize(v.size());
        r.setAvailabilityZone(v.availabilityZone());
        r.setStatus(v.status());
        r.setAttachStatus(v.attachStatus());
        r.setDisplayName(v.displayName());
        r.setDisplayDescription(v.displayDescription());
        r.setBootable((byte) 0);
        r.setMultiattach((byte) 0);
        r.setUseQuota((byte) 1);
        r.setCreatedAt(v.createdAt());
        r.setUpdatedAt(v.updatedAt());
        r.setDeleted((byte) 0);
        r.store();
    }

    /**
     * Applies {@code t} to the volume as a compare-and-set: only if its status is one {@code t}
     * allows (with {@code expected} set, only if it is still that status), with {@code changes}
     * to other columns. A transition back to {@code previous_status} reads the row first, and
     * then sets it only if its status is still the one read. Returns whether it moved.
     */
    public boolean apply(DSLContext dsl, VolumeTransition t, String id, String expected, Map<Field<?>, Object> changes) {
        if (expected != null && !t.allows(expected)) {
            return false;
        }
        Collection<String> from;
        VolumeTransition.Change change;
        // The row is read only for what the caller did not: previous_status to return to, or
        // the status to stash when no expected status is given.
        if (t.toPrevious() || (t.previous().stash() && expected == null)) {
            Optional<Volume> v = find(dsl, id);
            if (v.isEmpty() || (expected != null && !expected.equals(v.get().status()))) {
                return false;
            }
            Optional<VolumeTransition.Change> c = t.resolve(v.get().status(), v.get().previousStatus());
            if (c.isEmpty()) {
                return false;
            }
            from = List.of(v.get().status());
            change = c.get();
        } else {
            String current = expected != null ? expected : t.from().iterator().next().value();
            change = t.resolve(current, null).orElseThrow();
            from = expected != null ? List.of(expected)
                    : t.from().stream().map(VolumeStatus::value).toList();
        }
        Map<Field<?>, Object> all = new LinkedHashMap<>(changes);
        all.put(VOLUMES.STATUS, change.status());
        if (change.setsPrevious()) {
            all.put(VOLUMES.PREVIOUS_STATUS, change.previousStatus());
        }
        all.putIfAbsent(VOLUMES.UPDATED_AT, BackupRepository.now());
        return dsl.update(VOLUMES).set(all).where(VOLUMES.ID.eq(id)).and(live()).and(VOLUMES.STATUS.in(from))
                .execute() == 1;
    }

    /**
     * Sets columns of one live volume; the status is not among them: it changes only by a
     * {@link VolumeTransition} ({@link #apply}).
     */
    public void update(DSLContext dsl, String id, Map<Field<?>, Object> changes) {
        if (changes.containsKey(VOLUMES.STATUS) || changes.containsKey(VOLUMES.PREVIOUS_STATUS)) {
            throw new IllegalArgumentException("the status of volume " + id + " changes only by a transition");
        }
        Map<Field<?>, Object> all = new LinkedHashMap<>(changes);
        all.putIfAbsent(VOLUMES.UPDATED_AT, BackupRepository.now());
        dsl.update(VOLUMES).set(all).where(VOLUMES.ID.eq(id)).and(live()).execute();
    }

    public void softDelete(DSLContext dsl, String id) {
        LocalDateTime now = BackupRepository.now();
        dsl.update(VOLUMES).set(VOLUMES.STATUS, "deleted").set(VOLUMES.DELETED, (byte) 1)
                .set(VOLUMES.DELETED_AT, now).set(VOLUMES.TERMINATED_AT, now).set(VOLUMES.UPDATED_AT, now)
                .where(VOLUMES.ID.eq(id)).execute();
        dsl.update(VOLUME_METADATA).set(VOLUME_METADATA.DELETED, (byte) 1).set(VOLUME_METADATA.DELETED_AT, now)
                .where(VOLUME_METADATA.VOLUME_ID.eq(id)).execute();
    }

    public Map<String, String> metadata(DSLContext dsl, String volumeId) {
        Map<String, String> out = new java.util.TreeMap<>();
        dsl.select(VOLUME_METADATA.KEY, VOLUME_METADATA.VALUE).from(VOLUME_METADATA)
                .where(VOLUME_METADATA.VOLUME_ID.eq(volumeId)).and(VOLUME_METADATA.DELETED.eq((byte) 0))
                .forEach(r -> out.put(r.value1(), r.value2()));
        return out;
    }

    /** Sets one metadata key (restore's {@code src_backup_id}). */
    public void putMetadata(DSLContext dsl, String volumeId, String key, String value) {
        LocalDateTime now = BackupRepository.now();
        int n = dsl.update(VOLUME_METADATA).set(VOLUME_METADATA.VALUE, value).set(VOLUME_METADATA.UPDATED_AT, now)
                .where(VOLUME_METADATA.VOLUME_ID.eq(volumeId)).and(VOLUME_METADATA.KEY.eq(key))
                .and(VOLUME_METADATA.DELETED.eq((byte) 0)).execute();
        if (n == 0) {
            dsl.insertInto(VOLUME_METADATA).set(VOLUME_METADATA.VOLUME_ID, volumeId).set(VOLUME_METADATA.KEY, key)
                    .set(VOLUME_METADATA.VALUE, value).set(VOLUME_METADATA.CREATED_AT, now)
                    .set(VOLUME_METADATA.DELETED, (byte) 0).execute();
        }
    }

    /**
     * cinder's volume_metadata_update: sets every key of {@code metadata}; with {@code delete} the
     * keys not in it are (soft-)deleted. Returns the volume's metadata afterwards.
     */
    public Map<String, String> updateMetadata(DSLContext dsl, String volumeId, Map<String, String> metadata,
                                              boolean delete) {
        if (delete) {
            LocalDateTime now = BackupRepository.now();
            Condition stale = metadata.isEmpty() ? org.jooq.impl.DSL.trueCondition()
                    : VOLUME_METADATA.KEY.notIn(metadata.keySet());
            dsl.update(VOLUME_METADATA).set(VOLUME_METADATA.DELETED, (byte) 1).set(VOLUME_METADATA.DELETED_AT, now)
                    .where(VOLUME_METADATA.VOLUME_ID.eq(volumeId)).and(VOLUME_METADATA.DELETED.eq((byte) 0))
                    .and(stale).execute();
        }
        metadata.forEach((k, v) -> putMetadata(dsl, volumeId, k, v));
        return metadata(dsl, volumeId);
    }

    /** cinder's volume_metadata_delete: false when the key is not there. */
    public boolean deleteMetadata(DSLContext dsl, String volumeId, String key) {
        LocalDateTime now = BackupRepository.now();
        return dsl.update(VOLUME_METADATA).set(VOLUME_METADATA.DELETED, (byte) 1).set(VOLUME_METADATA.DELETED_AT, now)
                .set(VOLUME_METADATA.UPDATED_AT, now).where(VOLUME_METADATA.VOLUME_ID.eq(volumeId))
                .and(VOLUME_METADATA.KEY.eq(key)).and(VOLUME_METADATA.DELETED.eq((byte) 0)).execute() > 0;
    }

    static Volume toVolume(VolumesRecord r) {
        return new Volume(r.getId(), r.getUserId(), r.getProjectId(), r.getHost(),
                r.getSize() == null ? 0 : r.getSize(), r.getAvailabilityZone(), r.getStatus(), r.getAttachStatus(),
                r.getPreviousStatus(), r.getDisplayName(), r.getDisplayDescription(), r.getVolumeTypeId(),
                r.getBootable() != null && r.getBootable() != 0, r.getMultiattach() != null && r.getMultiattach() != 0,
                r.getEncryptionKeyId(), r.getCreatedAt(), r.getUpdatedAt());
    }
}
