package dev.ember.api;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/** What a controller answers: a status, an optional JSON body, extra headers. */
record ApiResponse(int status, JsonObject body, Map<String, String> headers) {

    static ApiResponse json(int status, JsonObject body) {
        return new ApiResponse(status, body, Map.of());
    }

    static ApiResponse empty(int status) {
        return new ApiResponse(status, null, Map.of());
    }
}
