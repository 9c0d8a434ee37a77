package dev.ember.api;

import dev.ember.error.CinderException;
import io.vertx.core.json.JsonObject;

/** The one mapping from fault kinds to cinder's HTTP status and JSON envelope. */
public final class Faults {

    private Faults() {
    }

    public static int status(CinderException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case NOT_SUPPORTED -> 405;
            case NOT_ACCEPTABLE -> 406;
            case CONFLICT -> 409;
            case OVER_LIMIT -> 413;
            case SERVICE_UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }

    /** cinder's fault-name map; anything unlisted (406, 500) is {@code computeFault}. */
    public static String name(int status) {
        return switch (status) {
            case 400 -> "badRequest";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "itemNotFound";
            case 405 -> "badMethod";
            case 409 -> "conflictingRequest";
            case 413 -> "overLimit";
            case 415 -> "badMediaType";
            case 501 -> "notImplemented";
            case 503 -> "serviceUnavailable";
            default -> "computeFault";
        };
    }

    public static JsonObject body(int status, String message) {
        JsonObject inner = new JsonObject().put("code", status).put("message", message);
        if (status == 413) {
            inner.put("retryAfter", "0");
        }
        return new JsonObject().put(name(status), inner);
    }
}
