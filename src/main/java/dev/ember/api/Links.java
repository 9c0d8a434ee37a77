package dev.ember.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The host part of links, as cinder builds it: the configured public endpoint, else the request's
 * own scheme and host (honouring the last X-Forwarded-Host).
 */
final class Links {

    private Links() {
    }

    static String applicationUrl(HttpServerRequest req, String publicEndpoint) {
        if (publicEndpoint != null && !publicEndpoint.isBlank()) {
            return publicEndpoint.replaceAll("/+$", "");
        }
        String fwd = req.getHeader("X-Forwarded-Host");
        String host;
        if (fwd != null && !fwd.isBlank()) {
            String[] all = fwd.split(",");
            host = all[all.length - 1].strip();
        } else {
            host = req.getHeader("Host");
            if (host == null || host.isBlank()) {
                host = req.authority() == null ? "localhost" : req.authority().toString();
            }
        }
        String scheme = req.getHeader("X-Forwarded-Proto");
        if (scheme == null || scheme.isBlank()) {
            scheme = req.scheme() == null ? "http" : req.scheme();
        }
        return scheme + "://" + host;
    }

    /** self + bookmark links of one resource. */
    static JsonArray of(String appUrl, String projectId, String collection, String id) {
        String pid = projectId == null ? "" : "/" + projectId;
        return new JsonArray()
                .add(new JsonObject().put("rel", "self").put("href", appUrl + "/v3" + pid + "/" + collection + "/" + id))
                .add(new JsonObject().put("rel", "bookmark").put("href", appUrl + pid + "/" + collection + "/" + id));
    }
}
