package dev.ember.api;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * What a controller answers: a status, an optional JSON body, extra headers.
 *
 * @param bare a controller's own {@code webob.Response} in cinder (e.g. the 202 of a type or
 *     transfer delete): webob's default {@code text/html; charset=UTF-8} and no
 *     X-Compute-Request-Id, which cinder adds only to its serialized responses
 */
record ApiResponse(int status, JsonObject body, Map<String, String> headers, boolean bare) {

    static ApiResponse json(int status, JsonObject body) {
        return new ApiResponse(status, body, Map.of(), false);
    }

    static ApiResponse empty(int status) {
        return new ApiResponse(status, null, Map.of(), false);
    }

    /** An empty {@code webob.Response(status_int=status)} returned by a cinder controller. */
    static ApiResponse bare(int status) {
        return new ApiResponse(status, null, Map.of(), true);
    }
}
