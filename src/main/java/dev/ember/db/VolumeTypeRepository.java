package dev.ember.db;

import dev.ember.model.VolumeType;
import org.jooq.Condition;
import org.jooq.DSLContext;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.ember.db.generated.Tables.SNAPSHOTS;
import static dev.ember.db.generated.Tables.VOLUMES;
import static dev.ember.db.generated.Tables.VOLUME_TYPES;
import static dev.ember.db.generated.Tables.VOLUME_TYPE_EXTRA_SPECS;

/** cinder's {@code volume_types} and {@code volume_type_extra_specs}. Blocking. */
public final class VolumeTypeRepository {

    /** cinder's volume_types.DEFAULT_VOLUME_TYPE, which `cinder-manage db sync` creates. */
    public static final String DEFAULT_NAME = "__DEFAULT__";

    private static Condition live() {
        return VOLUME_TYPES.DELETED.eq((byte) 0).or(VOLUME_TYPES.DELETED.isNull());
    }

    private static Condition liveSpec() {
        return VOLUME_TYPE_EXTRA_SPECS.DELETED.eq((byte) 0).or(VOLUME_TYPE_EXTRA_SPECS.DELETED.isNull());
    }

    /**
     * Inserts cinder's {@code __DEFAULT__} type (public, "Default Volume Type") unless a live type
     * of that name exists, as cinder's initial migration does.
     */
    public void ensureDefault(DSLContext dsl) {
        if (findByName(dsl, DEFAULT_NAME).isPresent()) {
            return;
        }
        insert(dsl, DEFAULT_NAME, "Default Volume Type", true, Map.of());
    }

    /** Live types, by name (cinder's volume_type_get_all default sort: created_at, id... by name here). */
    public List<VolumeType> list(DSLContext dsl, boolean publicOnly) {
        Condition c = live();
        if (publicOnly) {
            c = c.and(VOLUME_TYPES.IS_PUBLIC.eq((byte) 1));
        }
        return dsl.selectFrom(VOLUME_TYPES).where(c).orderBy(VOLUME_TYPES.CREATED_AT.asc(), VOLUME_TYPES.ID.asc())
                .fetch().map(r -> toType(dsl, r));
    }

    public Optional<VolumeType> find(DSLContext dsl, String id) {
        return dsl.selectFrom(VOLUME_TYPES).where(VOLUME_TYPES.ID.eq(id)).and(live()).fetchOptional()
                .map(r -> toType(dsl, r));
    }

    public Optional<VolumeType> findByName(DSLContext dsl, String name) {
        return dsl.selectFrom(VOLUME_TYPES).where(VOLUME_TYPES.NAME.eq(name)).and(live()).limit(1).fetchOptional()
                .map(r -> toType(dsl, r));
    }

    public VolumeType insert(DSLContext dsl, String name, String description, boolean isPublic,
                             Map<String, String> extraSpecs) {
        LocalDateTime now = BackupRepository.now();
        String id = UUID.randomUUID().toString();
        dsl.insertInto(VOLUME_TYPES).set(VOLUME_TYPES.ID, id).set(VOLUME_TYPES.NAME, name)
                .set(VOLUME_TYPES.DESCRIPTION, description).set(VOLUME_TYPES.IS_PUBLIC, (byte) (isPublic ? 1 : 0))
                .set(VOLUME_TYPES.CREATED_AT, now).set(VOLUME_TYPES.UPDATED_AT, now)
                .set(VOLUME_TYPES.DELETED, (byte) 0).execute();
        extraSpecs.forEach((k, v) -> dsl.insertInto(VOLUME_TYPE_EXTRA_SPECS)
                .set(VOLUME_TYPE_EXTRA_SPECS.VOLUME_TYPE_ID, id).set(VOLUME_TYPE_EXTRA_SPECS.KEY, k)
                .set(VOLUME_TYPE_EXTRA_SPECS.VALUE, v).set(VOLUME_TYPE_EXTRA_SPECS.CREATED_AT, now)
                .set(VOLUME_TYPE_EXTRA_SPECS.UPDATED_AT, now).set(VOLUME_TYPE_EXTRA_SPECS.DELETED, (byte) 0)
                .execute());
        return find(dsl, id).orElseThrow();
    }

    /**
     * Whether live volumes or snapshots use the type; untyped rows count as the default type's
     * (Ember's own volumes leave volume_type_id empty).
     */
    public boolean inUse(DSLContext dsl, VolumeType type) {
        Condition vol = VOLUMES.VOLUME_TYPE_ID.eq(type.id());
        Condition snap = SNAPSHOTS.VOLUME_TYPE_ID.eq(type.id());
        if (DEFAULT_NAME.equals(type.name())) {
            vol = vol.or(VOLUMES.VOLUME_TYPE_ID.isNull());
            snap = snap.or(SNAPSHOTS.VOLUME_TYPE_ID.isNull());
        }
        return dsl.fetchExists(VOLUMES, vol.and(VOLUMES.DELETED.eq((byte) 0).or(VOLUMES.DELETED.isNull())))
                || dsl.fetchExists(SNAPSHOTS, snap.and(SNAPSHOTS.DELETED.eq((byte) 0).or(SNAPSHOTS.DELETED.isNull())));
    }

    /** Soft-deletes the type and its extra specs. */
    public void delete(DSLContext dsl, String id) {
        LocalDateTime now = BackupRepository.now();
        dsl.update(VOLUME_TYPES).set(VOLUME_TYPES.DELETED, (byte) 1).set(VOLUME_TYPES.DELETED_AT, now)
                .set(VOLUME_TYPES.UPDATED_AT, now).where(VOLUME_TYPES.ID.eq(id)).and(live()).execute();
        dsl.update(VOLUME_TYPE_EXTRA_SPECS).set(VOLUME_TYPE_EXTRA_SPECS.DELETED, (byte) 1)
                .set(VOLUME_TYPE_EXTRA_SPECS.DELETED_AT, now)
                .where(VOLUME_TYPE_EXTRA_SPECS.VOLUME_TYPE_ID.eq(id)).and(liveSpec()).execute();
    }

    private static VolumeType toType(DSLContext dsl, dev.ember.db.generated.tables.records.VolumeTypesRecord r) {
        Map<String, String> specs = new LinkedHashMap<>();
        dsl.select(VOLUME_TYPE_EXTRA_SPECS.KEY, VOLUME_TYPE_EXTRA_SPECS.VALUE).from(VOLUME_TYPE_EXTRA_SPECS)
                .where(VOLUME_TYPE_EXTRA_SPECS.VOLUME_TYPE_ID.eq(r.getId())).and(liveSpec())
                .orderBy(VOLUME_TYPE_EXTRA_SPECS.ID).forEach(s -> specs.put(s.value1(), s.value2()));
        return new VolumeType(r.getId(), r.getName(), r.getDescription(),
                r.getIsPublic() == null || r.getIsPublic() != 0, r.getQosSpecsId(), specs, java.util.List.of(),
                r.getCreatedAt(), r.getUpdatedAt(), r.getDeletedAt(), r.getDeleted() != null && r.getDeleted() != 0);
    }
}
