package dev.ember.auth;

import java.time.Instant;
import java.util.Set;

/**
 * What Keystone vouched for about a user token. Deliberately holds no token string, so cached
 * entries can never leak one.
 *
 * @param projectId null for domain- or system-scoped tokens
 * @param roles lower-cased role names
 */
record ValidatedToken(String userId, String projectId, Set<String> roles, Instant expiresAt) {

    ValidatedToken {
        roles = Set.copyOf(roles);
    }

    boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    RequestContext toContext(String rawToken) {
        // cinder's context_is_admin default: role:admin.
        return new RequestContext(userId, projectId, roles, roles.contains("admin"), rawToken);
    }
}
