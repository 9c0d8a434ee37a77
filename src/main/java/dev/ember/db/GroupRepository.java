package dev.ember.db;

import dev.ember.db.generated.tables.records.GroupsRecord;
import dev.ember.model.Group;
import dev.ember.model.ProjectScope;
import org.jooq.Condition;
import org.jooq.DSLContext;

import java.util.List;

import static dev.ember.db.generated.Tables.GROUPS;

/** cinder's {@code groups} table, read for the groups list (Ember's volume service makes no groups). Blocking. */
public final class GroupRepository {

    /** Live groups of {@code projectId} (every project's when null), newest first as cinder sorts them. */
    public List<Group> list(DSLContext dsl, ProjectScope scope) {
        Condition c = GROUPS.DELETED.eq((byte) 0).or(GROUPS.DELETED.isNull());
        c = c.and(ProjectScopes.condition(scope, GROUPS.PROJECT_ID));
        return dsl.selectFrom(GROUPS).where(c).orderBy(GROUPS.CREATED_AT.desc(), GROUPS.ID.desc()).fetch()
                .map(GroupRepository::toGroup);
    }

    private static Group toGroup(GroupsRecord r) {
        return new Group(r.getId(), r.getName(), r.getDescription(), r.getStatus(), r.getAvailabilityZone(),
                r.getGroupTypeId(), r.getGroupSnapshotId(), r.getSourceGroupId(), r.getReplicationStatus(),
                r.getProjectId(), r.getCreatedAt());
    }
}
