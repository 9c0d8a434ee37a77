package dev.ember.auth;

import java.util.Set;

/**
 * Who is asking: cinder's RequestContext reduced to what Ember uses.
 *
 * @param roles lower-cased role names (admin, member, reader, ...)
 * @param isAdmin cinder's context.is_admin: the admin role (or noauth)
 */
public record RequestContext(String userId, String projectId, Set<String> roles, boolean isAdmin, String authToken) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
