package dev.ember.volume;

import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.Database;
import dev.ember.db.GroupRepository;
import dev.ember.model.Group;

import java.util.List;

/**
 * The read side of cinder's generic volume groups (GET /groups, /groups/detail, which Horizon
 * calls on every volumes page). Ember's volume service creates no groups, so this lists what
 * cinder's groups table holds, normally nothing.
 */
public final class GroupService {

    private final Database db;
    private final GroupRepository rows = new GroupRepository();
    private final Policy policy;

    public GroupService(Database db, Policy policy) {
        this.db = db;
        this.policy = policy;
    }

    public List<Group> list(RequestContext ctx, boolean allTenants) {
        policy.enforce("group:get_all", ctx);
        // The token's project, never "every project" for want of one (a domain or system token).
        return db.tx(dsl -> rows.list(dsl, ctx.listScope(allTenants)));
    }
}
