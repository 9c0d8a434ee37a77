package dev.ember.db;

import dev.ember.model.VolumeType;
import org.jooq.DSLContext;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

/**
 * What the API role needs to schedule a new volume on a database {@code cinder-manage db sync} made:
 * the default volume type (read through {@link VolumeTypeRepository}, with the projects a private
 * type is shared with) and cinder's {@code workers} row. {@code volume_type_projects},
 * {@code default_volume_types} and {@code workers} exist only in cinder's schema, not in Ember's
 * own, so there is no generated jOOQ code for them: those statements name cinder's columns
 * directly. Blocking.
 */
public final class VolumeSchedulingRepository {

    private final VolumeTypeRepository types = new VolumeTypeRepository();
    private static final org.jooq.Field<Integer> DELETED = field(name("deleted"), Integer.class);

    /**
     * cinder's {@code volume_types.get_default_volume_type(context)}: the project's default type
     * ({@code default_volume_types}) if it has one, else the type named {@code defaultName}
     * ({@code default_volume_type}); empty when neither exists. With the projects a private type
     * is shared with, which the new volume's scheduling request carries.
     */
    public Optional<VolumeType> defaultFor(DSLContext dsl, String projectId, String defaultName) {
        String projectDefault = dsl.select(field(name("volume_type_id"), String.class))
                .from(table(name("default_volume_types")))
                .where(field(name("project_id"), String.class).eq(projectId)).and(DELETED.eq(0))
                .fetchOne(0, String.class);
        Optional<VolumeType> t = projectDefault == null ? Optional.empty() : types.find(dsl, projectDefault);
        return t.or(() -> types.findByName(dsl, defaultName)).map(v -> v.withProjects(projectsOf(dsl, v.id())));
    }

    private static List<String> projectsOf(DSLContext dsl, String typeId) {
        return dsl.select(field(name("project_id"), String.class))
                .from(table(name("volume_type_projects")))
                .where(field(name("volume_type_id"), String.class).eq(typeId)).and(DELETED.eq(0))
                .orderBy(field(name("id"))).fetch(0, String.class);
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
