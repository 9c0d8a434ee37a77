package dev.ember.auth;

import java.util.Set;
import java.util.function.Function;

/**
 * cinder's {@code auth_strategy = noauth}: the token is {@code user:project} (or one id used for
 * both) and every caller is an admin.
 */
public final class NoAuthAuthenticator implements Authenticator {

    @Override
    public RequestContext authenticate(Function<String, String> header) throws AuthException {
        String token = header.apply("X-Auth-Token");
        if (token == null || token.isBlank()) {
            token = "admin:admin";
        }
        String user = token;
        String project = token;
        int colon = token.indexOf(':');
        if (colon >= 0) {
            user = token.substring(0, colon);
            project = token.substring(colon + 1);
            if (project.isEmpty()) {
                project = user;
            }
        }
        return new RequestContext(user, project, Set.of("admin", "member", "reader"), true, token);
    }
}
