package dev.ember.auth;

import dev.ember.model.ProjectScope;
import java.util.Objects;
import java.util.Set;

/**
 * Who is asking: cinder's RequestContext reduced to what Ember uses.
 *
 * @param projectId the token's project; null for domain- and system-scoped tokens
 * @param roles lower-cased role names (admin, member, reader, ...)
 * @param isAdmin cinder's context.is_admin: the admin role (or noauth), whatever the token's scope
 */
public record RequestContext(String userId, String projectId, Set<String> roles, boolean isAdmin, String authToken) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /**
     * cinder's {@code is_user_context}: not an admin, and both a user and a project. Only such a
     * caller has its reads restricted to its project; anyone else is left to the policy.
     */
    public boolean isUserContext() {
        return !isAdmin && userId != null && projectId != null;
    }

    /**
     * Whether a lookup by id finds an object of {@code objectProject}: cinder's
     * {@code model_query(project_only=True)}. Finding it is not permission to see it: the caller
     * must still pass the object's policy with the object as target.
     */
    public boolean finds(String objectProject) {
        return !isUserContext() || Objects.equals(projectId, objectProject);
    }

    /**
     * The rows a list shows: every project for an admin asking for all_tenants, otherwise the
     * token's project, which for a token without one matches nothing (cinder's
     * {@code get_all_by_project(context, context.project_id)}).
     */
    public ProjectScope listScope(boolean allTenants) {
        return allTenants && isAdmin ? ProjectScope.ALL : ProjectScope.of(projectId);
    }
}
