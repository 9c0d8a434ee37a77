package dev.ember.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ember.auth.RequestContext;
import dev.ember.error.CinderException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * One API request as the controllers see it: negotiated version, caller, path parameters and
 * the body, all plain values so controllers can run on worker threads.
 *
 * @param pathProjectId the project id in the URL, or null when the route had none (3.67 form)
 * @param path          the request path without query
 */
record ApiRequest(Microversion version, RequestContext context, String appUrl, String pathProjectId, String path,
                  MultiMap params, MultiMap query, Buffer rawBody) {

    private static final ObjectMapper JSON = new ObjectMapper();

    String param(String name) {
        return params.get(name);
    }

    /** Whether the request carries a body cinder would read (non-empty, with a JSON Content-Type). */
    boolean hasBody() {
        return rawBody != null && rawBody.length() > 0;
    }

    /** The parsed JSON body; an absent or unparsable body is cinder's "Malformed request body". */
    JsonNode body() {
        if (rawBody == null || rawBody.length() == 0) {
            throw CinderException.badRequest("Malformed request body");
        }
        try {
            JsonNode n = JSON.readTree(rawBody.getBytes());
            if (n == null || n.isMissingNode()) {
                throw CinderException.badRequest("Malformed request body");
            }
            return n;
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof CinderException ce) {
                throw ce;
            }
            throw CinderException.badRequest("Malformed request body");
        }
    }

    /** The project the listing is scoped to. */
    String projectId() {
        return context.projectId();
    }
}
