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
        return applicationUrl(req, publicEndpoint, true);
    }

    /**
     * @param forwarded whether the last X-Forwarded-Host replaces the host: cinder's resource
     *                  links (common.get_request_url) do, its versions document does not
     */
    static String applicationUrl(HttpServerRequest req, String publicEndpoint, boolean forwarded) {
        if (publicEndpoint != null && !publicEndpoint.isBlank()) {
            return publicEndpoint.replaceAll("/+$", "");
        }
        String fwd = forwarded ? req.getHeader("X-Forwarded-Host") : null;
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
        // X-Forwarded-Proto is not read: cinder's http_proxy_to_wsgi only honours it with
        // [oslo_middleware] enable_proxy_headers_parsing, which is off by default.
        String scheme = req.scheme() == null ? "http" : req.scheme();
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
