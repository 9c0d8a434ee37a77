package dev.ember.db;

import dev.ember.model.VolumeType;
import org.jooq.DSLContext;
import org.jooq.Record;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

/**
 * cinder's volume type tables ({@code volume_types}, {@code volume_type_extra_specs},
 * {@code volume_type_projects}, {@code default_volume_types}) and its {@code workers} table, read
 * and written only by the API role, which works on a database {@code cinder-manage db sync} made.
 * Ember's own schema (the embedded profile) has none of them, so there is no generated jOOQ code:
 * the statements name cinder's columns directly (the embedded profile's {@link VolumeTypeRepository}
 * serves its own types API). Blocking.
 */
public final class VolumeSchedulingRepository {

    private static final org.jooq.Field<String> ID = field(name("id"), String.class);
    private static final org.jooq.Field<Integer> DELETED = field(name("deleted"), Integer.class);

    /**
     * cinder's {@code volume_types.get_default_volume_type(context)}: the project's default type
     * ({@code default_volume_types}) if it has one, else the type named {@code defaultName}
     * ({@code default_volume_type}); empty when neither exists.
     */
    public Optional<VolumeType> defaultFor(DSLContext dsl, String projectId, String defaultName) {
        String projectDefault = dsl.select(field(name("volume_type_id"), String.class))
                .from(table(name("default_volume_types")))
                .where(field(name("project_id"), String.class).eq(projectId)).and(DELETED.eq(0))
                .fetchOne(0, String.class);
        if (projectDefault != null) {
            Optional<VolumeType> t = find(dsl, ID.eq(projectDefault));
            if (t.isPresent()) {
                return t;
            }
        }
        return find(dsl, field(name("name"), String.class).eq(defaultName));
    }

    private Optional<VolumeType> find(DSLContext dsl, org.jooq.Condition which) {
        Record r = dsl.select().from(table(name("volume_types"))).where(which).and(DELETED.eq(0)).limit(1).fetchOne();
        if (r == null) {
            return Optional.empty();
        }
        String id = r.get("id", String.class);
        Map<String, String> specs = new LinkedHashMap<>();
        for (Record s : dsl.select(field(name("key")), field(name("value"))).from(table(name("volume_type_extra_specs")))
                .where(field(name("volume_type_id"), String.class).eq(id)).and(DELETED.eq(0))
                .orderBy(field(name("id"))).fetch()) {
            specs.put(s.get(0, String.class), s.get(1, String.class));
        }
        List<String> projects = dsl.select(field(name("project_id"), String.class))
                .from(table(name("volume_type_projects")))
                .where(field(name("volume_type_id"), String.class).eq(id)).and(DELETED.eq(0))
                .orderBy(field(name("id"))).fetch(0, String.class);
        // MariaDB's tinyint(1) comes back as a Boolean; converted by name, as plain SQL has no types.
        Object isPublic = r.get("is_public");
        return Optional.of(new VolumeType(id, r.get("name", String.class), r.get("description", String.class),
                isPublic instanceof Boolean b ? b : isPublic instanceof Number n && n.intValue() != 0,
                r.get("qos_specs_id", String.class), specs, projects,
                r.get("created_at", LocalDateTime.class), r.get("updated_at", LocalDateTime.class),
                r.get("deleted_at", LocalDateTime.class), false));
    }

    /**
     * {@code Volume.create_worker()}, which cinder's scheduler RPC client runs before casting
     * {@code create_volume}: the row cinder's cleanup uses to find a volume stuck in
     * {@code creating}; cinder-volume removes it when the volume is made. An existing row (a
     * reused id cannot happen for a fresh uuid) is left alone.
     */
    public void addCreatingWorker(DSLContext dsl, String volumeId, LocalDateTime now) {
        dsl.insertInto(table(name("workers")))
                .set(field(name("created_at")), now)
                .set(field(name("updated_at")), now)
                .set(field(name("deleted")), 0)
                .set(field(name("resource_type")), "Volume")
                .set(field(name("resource_id")), volumeId)
                .set(field(name("status")), "creating")
                .set(field(name("race_preventer")), 0)
                .onDuplicateKeyIgnore()
                .execute();
    }
}
