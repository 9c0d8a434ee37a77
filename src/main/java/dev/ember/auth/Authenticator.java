package dev.ember.auth;

import java.util.function.Function;

/**
 * Turns request headers into a {@link RequestContext}. May block (Keystone round trip), so the
 * API calls it on a worker thread.
 */
public interface Authenticator {

    /**
     * @param header looks up a request header by (case-insensitive) name; null when absent
     */
    RequestContext authenticate(Function<String, String> header) throws AuthException;
}
