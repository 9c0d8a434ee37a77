package dev.ember.api;

import dev.ember.error.CinderException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The one mapping from fault kinds to cinder's HTTP status and JSON envelope. */
public final class Faults {

    /** The request bodies cinder's wsgi.Resource reads (exact media type, case-sensitive). */
    public static final Set<String> SUPPORTED_CONTENT_TYPES = Set.of("application/json",
            "application/vnd.openstack.volume+json");

    /** A non-envelope answer: its Content-Type and body text. */
    public record Rendered(String contentType, String body) {
    }

    private static final String NOT_FOUND_DETAIL = "The resource could not be found.";

    private Faults() {
    }

    /**
     * webob's own HTTPNotFound page (WebOb 1.8, as cinder's router returns it when no route
     * matches), see {@link #webob}.
     */
    public static Rendered webobNotFound(String accept) {
        return webob("404 Not Found", "Not Found", NOT_FOUND_DETAIL, accept);
    }

    /**
     * webob's 413 as oslo.middleware's sizelimit raises it before cinder's fault wrapper
     * formats anything (cinder's osapi_max_request_body_size, 114688 bytes).
     */
    public static Rendered webobTooLarge(String accept, int limit) {
        return webob("413 Request Entity Too Large", "Request Entity Too Large",
                "Request is too large. Larger than max_request_body_size (" + limit + ").", accept);
    }

    /**
     * A webob HTTPException's own page (WebOb 1.8): HTML, JSON or plain text, whichever of
     * text/html and application/json the Accept header prefers (text/html on a tie), plain
     * text when it accepts neither or is absent.
     */
    static Rendered webob(String status, String title, String explanation, String accept) {
        String best = bestOffer(accept, List.of("text/html", "application/json"));
        if ("text/html".equals(best)) {
            return new Rendered("text/html; charset=UTF-8", "<html>\n <head>\n  <title>" + status + "</title>\n"
                    + " </head>\n <body>\n  <h1>" + status + "</h1>\n  " + explanation + "<br /><br />\n\n\n\n"
                    + " </body>\n</html>");
        }
        if ("application/json".equals(best)) {
            // webob's json_formatter: message (with the HTML line breaks it keeps), code, title.
            return new Rendered("application/json", "{\"message\": \"" + explanation
                    + "<br /><br />\\n\\n\\n\", \"code\": \"" + status + "\", \"title\": \"" + title + "\"}");
        }
        return new Rendered("text/plain; charset=UTF-8", status + "\n\n" + explanation + "\n\n   ");
    }

    /**
     * The first of {@code offers} with the highest quality under {@code accept}, each offer
     * rated by its most specific matching media range (webob's acceptable_offers); null when
     * none is acceptable or the header is absent or empty.
     */
    static String bestOffer(String accept, List<String> offers) {
        if (accept == null || accept.isBlank()) {
            return null;
        }
        record Range(String type, String subtype, boolean extraParams, double q) {
        }
        List<Range> ranges = new ArrayList<>();
        for (String item : accept.split(",")) {
            String[] parts = item.split(";");
            String media = parts[0].strip().toLowerCase(Locale.ROOT);
            int slash = media.indexOf('/');
            if (slash <= 0 || slash == media.length() - 1) {
                continue;
            }
            double q = 1.0;
            boolean extra = false;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].strip().split("=", 2);
                if (kv[0].strip().equalsIgnoreCase("q") && kv.length == 2) {
                    try {
                        q = Double.parseDouble(kv[1].strip());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                } else if (!kv[0].isBlank()) {
                    extra = true;
                }
            }
            ranges.add(new Range(media.substring(0, slash), media.substring(slash + 1), extra, q));
        }
        String best = null;
        double bestQ = 0;
        for (String offer : offers) {
            String type = offer.substring(0, offer.indexOf('/'));
            String subtype = offer.substring(offer.indexOf('/') + 1);
            int specificity = 0;
            double q = 0;
            for (Range r : ranges) {
                int s;
                if (r.type().equals(type) && r.subtype().equals(subtype)) {
                    s = r.extraParams() ? 0 : 3;
                } else if (r.type().equals(type) && r.subtype().equals("*")) {
                    s = 2;
                } else if (r.type().equals("*") && r.subtype().equals("*")) {
                    s = 1;
                } else {
                    s = 0;
                }
                if (s > specificity) {
                    specificity = s;
                    q = r.q();
                }
            }
            if (specificity > 0 && q > bestQ) {
                best = offer;
                bestQ = q;
            }
        }
        return best;
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
