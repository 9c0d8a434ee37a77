package dev.ember.api;

import dev.ember.auth.AuthException;
import dev.ember.auth.Authenticator;
import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.error.CinderException;
import dev.ember.error.DatabaseUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The HTTP front: routes, microversion negotiation, authentication and fault mapping. The event
 * loop only parses and writes; authentication and every controller run on a bounded worker pool.
 */
public final class ApiServer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** webob's default request body limit in cinder (osapi_max_request_body_size). */
    public static final int MAX_BODY = 114688;
    private static final Pattern PROJECT_ID = Pattern.compile("[0-9a-f\\-]+");
    private static final String NOT_FOUND = "The resource could not be found.";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Settings of the HTTP layer. */
    public record Settings(String publicEndpoint, int maxLimit) {
    }

    /**
     * The embedded volume service's project-level APIs (quotas, limits, volume types, transfers,
     * groups), each null where the deployment has none.
     */
    public record ProjectApis(dev.ember.volume.QuotaService quotas, dev.ember.volume.VolumeTypeService types,
                              dev.ember.volume.TransferService transfers, dev.ember.volume.GroupService groups) {
        public static final ProjectApis NONE = new ProjectApis(null, null, null, null);
    }

    private final Vertx vertx;
    private final Settings settings;
    private final Authenticator authenticator;
    private final WorkerExecutor workers;
    private final Router router;

    /** Which volume, snapshot and attachment routes are served beside the backup routes. */
    public enum VolumeRoutes {
        /** None: cinder-api answers them. */
        NONE,
        /**
         * The reads of volumes and snapshots, from the database (the API role): what the stock
         * client looks a volume up with before {@code backup-create} or {@code backup-restore
         * --volume}; changes stay cinder-api's and cinder-volume's.
         */
        READ,
        /** The embedded profile's own volume API. */
        ALL
    }

    public ApiServer(Vertx vertx, Settings settings, Authenticator authenticator, Policy policy,
                     dev.ember.backup.BackupService backups, dev.ember.volume.VolumeService volumes,
                     WorkerExecutor workers) {
        this(vertx, settings, authenticator, policy, backups, volumes,
                volumes == null ? VolumeRoutes.NONE : VolumeRoutes.ALL, ProjectApis.NONE, workers);
    }

    public ApiServer(Vertx vertx, Settings settings, Authenticator authenticator, Policy policy,
                     dev.ember.backup.BackupService backups, dev.ember.volume.VolumeService volumes,
                     VolumeRoutes volumeRoutes, ProjectApis projectApis, WorkerExecutor workers) {
        this.vertx = vertx;
        this.settings = settings;
        this.authenticator = authenticator;
        this.workers = workers;
        this.router = Router.router(vertx);
        BackupsController bc = new BackupsController(backups, policy, settings.maxLimit());
        VolumesController vc = volumes == null || volumeRoutes == VolumeRoutes.NONE ? null
                : new VolumesController(volumes, settings.maxLimit());
        boolean writes = volumeRoutes == VolumeRoutes.ALL;

        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        router.route().handler(this::beforeRouting);
        // The versions routes have no method condition in cinder: any method gets the document.
        router.route("/").handler(rc -> versions(rc, 300));
        router.routeWithRegex("/v3/?").handler(rc -> {
            if (rc.request().path().endsWith("/")) {
                versions(rc, 200);
            } else {
                redirectToV3(rc);
            }
        });

        Microversion v30 = Microversion.MIN;
        api(HttpMethod.GET, "/backups", v30, bc::index);
        api(HttpMethod.POST, "/backups", v30, bc::create);
        api(HttpMethod.GET, "/backups/detail", v30, bc::detail);
        api(HttpMethod.POST, "/backups/import_record", v30, bc::importRecord);
        // routes' resource() also maps GET .../new and .../{id}/edit; cinder's controller has no
        // such methods, so they are itemNotFound envelopes (with version headers), not webob 404s.
        api(HttpMethod.GET, "/backups/new", v30, r -> {
            throw CinderException.notFound(NOT_FOUND);
        });
        api(HttpMethod.GET, "/backups/:id/edit", v30, r -> {
            throw CinderException.notFound(NOT_FOUND);
        });
        api(HttpMethod.GET, "/backups/:id", v30, bc::show);
        api(HttpMethod.PUT, "/backups/:id", new Microversion(3, 9), bc::update);
        api(HttpMethod.DELETE, "/backups/:id", v30, bc::delete);
        api(HttpMethod.POST, "/backups/:id/restore", v30, bc::restore);
        api(HttpMethod.GET, "/backups/:id/export_record", v30, bc::exportRecord);
        api(HttpMethod.POST, "/backups/:id/action", v30, bc::action);
        if (vc != null) {
            api(HttpMethod.GET, "/volumes", v30, vc::index);
            api(HttpMethod.GET, "/volumes/detail", v30, vc::detail);
            api(HttpMethod.GET, "/volumes/:id", v30, vc::show);
            api(HttpMethod.GET, "/volumes/:id/metadata", v30, vc::metadataIndex);
            api(HttpMethod.GET, "/volumes/:id/metadata/:key", v30, vc::metadataShow);
            SnapshotsController sc = new SnapshotsController(volumes.snapshots(), settings.maxLimit());
            api(HttpMethod.GET, "/snapshots", v30, sc::index);
            api(HttpMethod.GET, "/snapshots/detail", v30, sc::detail);
            api(HttpMethod.GET, "/snapshots/:id", v30, sc::show);
        }
        if (vc != null && writes) {
            api(HttpMethod.POST, "/volumes", v30, vc::create);
            api(HttpMethod.DELETE, "/volumes/:id", v30, vc::delete);
            api(HttpMethod.POST, "/volumes/:id/metadata", v30, vc::metadataCreate);
            api(HttpMethod.PUT, "/volumes/:id/metadata", v30, vc::metadataUpdateAll);
            api(HttpMethod.PUT, "/volumes/:id/metadata/:key", v30, vc::metadataUpdate);
            api(HttpMethod.DELETE, "/volumes/:id/metadata/:key", v30, vc::metadataDelete);
            VolumeActions va = new VolumeActions(volumes);
            api(HttpMethod.POST, "/volumes/:id/action", v30, va::action);
            SnapshotsController sc = new SnapshotsController(volumes.snapshots(), settings.maxLimit());
            api(HttpMethod.POST, "/snapshots", v30, sc::create);
            api(HttpMethod.DELETE, "/snapshots/:id", v30, sc::delete);
            AttachmentsController ac = new AttachmentsController(volumes.attachments(), settings.maxLimit());
            Microversion v327 = new Microversion(3, 27);
            api(HttpMethod.GET, "/attachments", v327, ac::index);
            api(HttpMethod.POST, "/attachments", v327, ac::create);
            api(HttpMethod.GET, "/attachments/detail", v327, ac::detail);
            api(HttpMethod.GET, "/attachments/:id", v327, ac::show);
            api(HttpMethod.PUT, "/attachments/:id", v327, ac::update);
            api(HttpMethod.DELETE, "/attachments/:id", v327, ac::delete);
            api(HttpMethod.POST, "/attachments/:id/action", v327, ac::action);
        }
        projectRoutes(projectApis);

        // No route for the path, or none for this method on it: cinder's router (routes) then
        // answers webob's bare HTTPNotFound, not a fault envelope and without version headers;
        // there is no 405 in cinder.
        router.errorHandler(404, this::webobNotFound);
        router.errorHandler(405, this::webobNotFound);
        router.errorHandler(413, rc -> {
            // oslo's sizelimit middleware answers before cinder's fault wrapper: webob's own 413
            // page, no envelope, no version headers. The rest of the oversized body is never
            // read: close the connection after answering, or a client still sending it would
            // block on a full TCP window.
            if (rc.response().ended()) {
                return;
            }
            Faults.Rendered r = Faults.webobTooLarge(rc.request().getHeader(HttpHeaders.ACCEPT), MAX_BODY);
            rc.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, r.contentType())
                    .putHeader("X-OpenStack-Request-Id", "req-" + UUID.randomUUID())
                    .putHeader("Connection", "close");
            // Connection: close makes the server close the connection once the answer is written.
            rc.response().end(r.body());
        });
        router.errorHandler(400, rc -> writeFault(rc, (Microversion) null, 400, "Malformed request body", Map.of()));
        router.errorHandler(500, rc -> {
            if (rc.failure() != null) {
                LOG.error("unhandled failure on {} {}", rc.request().method(), rc.request().path(), rc.failure());
            }
            writeFault(rc, (Microversion) null, 500, "The server has either erred or is incapable of performing the requested "
                    + "operation.", Map.of());
        });
    }

    /** Issue #11: the routes tempest and Horizon call besides backups and volumes. */
    private void projectRoutes(ProjectApis p) {
        Microversion v30 = Microversion.MIN;
        if (p.quotas() != null) {
            QuotaSetsController qc = new QuotaSetsController(p.quotas());
            api(HttpMethod.GET, "/os-quota-sets/:id/defaults", v30, qc::defaults);
            api(HttpMethod.GET, "/os-quota-sets/:id", v30, qc::show);
            api(HttpMethod.PUT, "/os-quota-sets/:id", v30, qc::update);
            api(HttpMethod.DELETE, "/os-quota-sets/:id", v30, qc::delete);
            api(HttpMethod.GET, "/os-quota-class-sets/:id", v30, qc::showClass);
            api(HttpMethod.PUT, "/os-quota-class-sets/:id", v30, qc::updateClass);
            api(HttpMethod.GET, "/limits", v30, qc::limits);
        }
        if (p.types() != null) {
            VolumeTypesController tc = new VolumeTypesController(p.types());
            api(HttpMethod.GET, "/types", v30, tc::index);
            api(HttpMethod.POST, "/types", v30, tc::create);
            api(HttpMethod.GET, "/types/:id", v30, tc::show);
            api(HttpMethod.DELETE, "/types/:id", v30, tc::delete);
        }
        if (p.transfers() != null) {
            TransfersController xc = new TransfersController(p.transfers());
            for (var c : List.of(Map.entry("/os-volume-transfer", v30), Map.entry("/volume-transfers", new Microversion(3, 55)))) {
                api(HttpMethod.GET, c.getKey(), c.getValue(), xc::index);
                api(HttpMethod.POST, c.getKey(), c.getValue(), xc::create);
                api(HttpMethod.GET, c.getKey() + "/detail", c.getValue(), xc::detail);
                api(HttpMethod.GET, c.getKey() + "/:id", c.getValue(), xc::show);
                api(HttpMethod.DELETE, c.getKey() + "/:id", c.getValue(), xc::delete);
                api(HttpMethod.POST, c.getKey() + "/:id/accept", c.getValue(), xc::accept);
            }
        }
        if (p.groups() != null) {
            GroupsController gc = new GroupsController(p.groups());
            Microversion v313 = new Microversion(3, 13);
            api(HttpMethod.GET, "/groups", v313, gc::index);
            api(HttpMethod.GET, "/groups/detail", v313, gc::detail);
        }
        ExtensionsController ec = new ExtensionsController();
        api(HttpMethod.GET, "/extensions", v30, ec::index);
        api(HttpMethod.GET, "/extensions/:id", v30, ec::show);
    }

    public Router router() {
        return router;
    }

    public Future<HttpServer> listen(String host, int port) {
        return vertx.createHttpServer(new HttpServerOptions().setMaxHeaderSize(16384).setMaxInitialLineLength(8192)
                        // HTTP/1.1 only, like cinder-api: an h2c upgrade request carrying a large
                        // body otherwise stalls the connection.
                        .setHttp2ClearTextEnabled(false))
                .requestHandler(router).listen(port, host);
    }

    private void api(HttpMethod method, String suffix, Microversion min, Function<ApiRequest, ApiResponse> handler) {
        // cinder's create, update and action methods take a body; index, show, delete, ... do not.
        boolean readsBody = method == HttpMethod.POST || method == HttpMethod.PUT;
        for (String prefix : List.of("/v3/:project_id", "/v3")) {
            boolean withProject = prefix.contains(":project_id");
            router.route(method, prefix + suffix).handler(rc -> dispatch(rc, withProject, min, readsBody, handler));
        }
    }

    private void dispatch(RoutingContext rc, boolean withProject, Microversion min, boolean readsBody,
                          Function<ApiRequest, ApiResponse> handler) {
        String pathProject = withProject ? rc.pathParam("project_id") : null;
        if (pathProject != null && !PROJECT_ID.matcher(pathProject).matches()) {
            // cinder's project_id_regex is part of the route: no route matches.
            webobNotFound(rc);
            return;
        }
        Microversion version = negotiate(rc);
        if (version == null) {
            return;
        }
        var body = rc.body() == null ? null : rc.body().buffer();
        if (body != null && body.length() > 0) {
            // cinder's Resource reads only JSON bodies: another type is 415 before anything else.
            // A request without Content-Type reaches it as text/plain (eventlet's WSGI server
            // fills CONTENT_TYPE from the email parser's default), so it is 415 as well.
            String ct = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (ct == null) {
                ct = "text/plain";
            }
            if (!Faults.SUPPORTED_CONTENT_TYPES.contains(ct.split(";", 2)[0])) {
                writeFault(rc, version.toString(), 415, "Unsupported Content-Type", Map.of());
                return;
            }
        }
        MultiMap headers = rc.request().headers();
        String appUrl = Links.applicationUrl(rc.request(), settings.publicEndpoint());
        MultiMap params = MultiMap.caseInsensitiveMultiMap().addAll(rc.pathParams());
        MultiMap query = MultiMap.caseInsensitiveMultiMap();
        rc.queryParams().forEach(e -> query.add(e.getKey(), e.getValue()));
        String path = rc.request().path();
        var requestBody = body;
        workers.<ApiResponse>executeBlocking(() -> {
            // In cinder's order: authentication (middleware), the body's JSON (deserialized for
            // every method), the URL's project, then the method's microversion and arguments.
            RequestContext ctx = authenticator.authenticate(headers::get);
            boolean hasBody = requestBody != null && requestBody.length() > 0;
            if (hasBody) {
                JsonNode parsed;
                try {
                    parsed = JSON.readTree(requestBody.getBytes());
                } catch (java.io.IOException | RuntimeException e) {
                    parsed = null;
                }
                if (parsed == null || parsed.isMissingNode()) {
                    throw CinderException.badRequest("Malformed request body");
                }
            }
            if (pathProject != null && !pathProject.equals(ctx.projectId())) {
                throw CinderException.badRequest("Malformed request url");
            }
            if (version.compareTo(min) < 0) {
                throw CinderException.notFound(NOT_FOUND);
            }
            if (!readsBody && hasBody) {
                // cinder passes a JSON body to the controller method as a "body" argument;
                // methods that take none fail with a TypeError, which its
                // ResourceExceptionHandler turns into webob's generic 400.
                throw CinderException.badRequest(Microversion.GENERIC_BAD_REQUEST);
            }
            return handler.apply(new ApiRequest(version, ctx, appUrl, pathProject, path, params, query, requestBody));
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                write(rc, version, ar.result());
            } else {
                fault(rc, version, ar.cause());
            }
        });
    }

    /**
     * What cinder's paste pipeline answers before its router sees a request: oslo's CORS filter
     * answers every OPTIONS with an empty 200; under /v3 the noauth filter answers a request
     * without X-Auth-Token with its legacy 204 (a token and management URL in headers); the
     * router (routes) has no route for a path with a trailing slash other than /v3/ (Vert.x would
     * match it).
     */
    private void beforeRouting(RoutingContext rc) {
        String path = rc.request().path();
        if (rc.request().method() == HttpMethod.OPTIONS) {
            rc.response().setStatusCode(200).putHeader("X-OpenStack-Request-Id", "req-" + UUID.randomUUID()).end();
            return;
        }
        if (path.equals("/healthcheck") || path.startsWith("/healthcheck/")) {
            healthcheck(rc);
            return;
        }
        boolean v3 = path.equals("/v3") || path.startsWith("/v3/");
        if (v3 && authenticator instanceof dev.ember.auth.NoAuthAuthenticator
                && rc.request().getHeader("X-Auth-Token") == null) {
            String user = rc.request().getHeader("X-Auth-User");
            String project = rc.request().getHeader("X-Auth-Project-Id");
            String url = rc.request().absoluteURI().replaceAll("/+$", "");
            rc.response().setStatusCode(204)
                    .putHeader("X-Auth-Token", (user == null ? "admin" : user) + ":" + (project == null ? "admin" : project))
                    .putHeader("X-Server-Management-Url", url)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=UTF-8")
                    .putHeader("X-OpenStack-Request-Id", "req-" + UUID.randomUUID())
                    .end();
            return;
        }
        if (path.length() > 1 && path.endsWith("/") && !path.equals("/v3/")) {
            webobNotFound(rc);
            return;
        }
        if (path.startsWith("/v3/") && path.endsWith(".json") && path.length() > "/v3/.json".length()) {
            // Every cinder route also exists with a ".json" format suffix (routes' {format},
            // restricted to json): route the request without it.
            String query = rc.request().query();
            String stripped = path.substring(0, path.length() - ".json".length());
            rc.reroute(query == null ? stripped : stripped + "?" + query);
            return;
        }
        rc.next();
    }

    /**
     * cinder's /healthcheck pipeline (oslo.middleware Healthcheck, no detail): any method and
     * sub-path; HEAD → 204; otherwise 200 "OK" as text, HTML or JSON by Accept (text by
     * default). Ember has no disable file: it is healthy while it answers.
     */
    private void healthcheck(RoutingContext rc) {
        HttpServerResponse resp = rc.response().putHeader("X-OpenStack-Request-Id", "req-" + UUID.randomUUID());
        if (rc.request().method() == HttpMethod.HEAD) {
            resp.setStatusCode(204).end();
            return;
        }
        String best = Faults.bestOffer(rc.request().getHeader(HttpHeaders.ACCEPT),
                List.of("text/plain", "text/html", "application/json"));
        resp.setStatusCode(200);
        if ("application/json".equals(best)) {
            resp.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\n    \"detailed\": false,\n    \"reasons\": [\n        \"OK\"\n    ]\n}");
        } else if ("text/html".equals(best)) {
            resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=UTF-8")
                    .end("<HTML>\n<HEAD><TITLE>Healthcheck Status</TITLE></HEAD>\n<BODY>\n\n<H2>Result of 1 checks:</H2>\n"
                            + "<TABLE bgcolor=\"#ffffff\" border=\"1\">\n<TBODY>\n<TR>\n\n<TH>\nReason\n</TH>\n</TR>\n"
                            + "<TR>\n\n    <TD>OK</TD>\n\n</TR>\n</TBODY>\n</TABLE>\n<HR></HR>\n\n</BODY>\n</HTML>");
        } else {
            resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=UTF-8").end("OK");
        }
    }

    /** The request's microversion, or null after answering cinder's fault for its header. */
    private Microversion negotiate(RoutingContext rc) {
        List<String> all = rc.request().headers().getAll(Microversion.HEADER);
        try {
            // Repeated headers reach cinder (WSGI) joined with commas.
            return Microversion.negotiate(all.isEmpty() ? null : String.join(",", all));
        } catch (Microversion.NegotiationException e) {
            writeFault(rc, e.echo(), Faults.status(e.kind()), e.getMessage(), Map.of());
            return null;
        }
    }

    private void webobNotFound(RoutingContext rc) {
        HttpServerResponse resp = rc.response();
        if (resp.ended()) {
            return;
        }
        resp.putHeader("X-OpenStack-Request-Id", "req-" + UUID.randomUUID());
        if (rc.request().method() == HttpMethod.HEAD) {
            // webob builds no body for HEAD, so the answer keeps Response's default type.
            resp.setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=UTF-8").end();
            return;
        }
        Faults.Rendered r = Faults.webobNotFound(rc.request().getHeader(HttpHeaders.ACCEPT));
        resp.setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, r.contentType());
        resp.end(r.body());
    }

    /**
     * {@code /v3} without the slash: cinder's v3 router redirects (routes' redirect: 302, an
     * absolute Location built from the request's own scheme and Host, an empty text/plain body).
     */
    private void redirectToV3(RoutingContext rc) {
        String host = rc.request().getHeader(HttpHeaders.HOST);
        if (host == null || host.isBlank()) {
            host = rc.request().authority() == null ? "localhost" : rc.request().authority().toString();
        }
        String scheme = rc.request().scheme() == null ? "http" : rc.request().scheme();
        rc.response().setStatusCode(302)
                .putHeader(HttpHeaders.LOCATION, scheme + "://" + host + "/v3/")
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf8")
                .putHeader("X-OpenStack-Request-Id", "req-" + UUID.randomUUID())
                .end();
    }

    private void fault(RoutingContext rc, Microversion version, Throwable t) {
        if (t instanceof CinderException ce) {
            Map<String, String> headers = ce.kind() == CinderException.Kind.OVER_LIMIT ? Map.of("Retry-After", "0") : Map.of();
            writeFault(rc, version, Faults.status(ce.kind()), ce.getMessage(), headers);
        } else if (t instanceof dev.ember.auth.KeystoneUnavailableException) {
            writeFault(rc, version, 503, "The identity service is unavailable; retry later.", Map.of("Retry-After", "5"));
        } else if (t instanceof AuthException) {
            // keystonemiddleware's answer, which is what clients of cinder get for a bad token.
            rc.response().setStatusCode(401)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader("WWW-Authenticate", authenticator instanceof dev.ember.auth.KeystoneAuthenticator k
                            ? k.wwwAuthenticate() : "Keystone uri=\"\"");
            commonHeaders(rc.response(), version == null ? null : version.toString());
            rc.response().end(new JsonObject().put("error", new JsonObject().put("code", 401)
                    .put("title", "Unauthorized")
                    .put("message", "The request you have made requires authentication.")).encode());
        } else if (t instanceof dev.ember.auth.PolicyNotAuthorizedException p) {
            writeFault(rc, version, 403, p.getMessage(), Map.of());
        } else if (t instanceof DatabaseUnavailableException) {
            LOG.warn("database unavailable: {}", t.getCause().toString());
            writeFault(rc, version, 503, "The database is unavailable; retry later.", Map.of("Retry-After", "5"));
        } else {
            LOG.error("internal error on {} {}", rc.request().method(), rc.request().path(), t);
            writeFault(rc, version, 500, "The server has either erred or is incapable of performing the requested "
                    + "operation.", Map.of());
        }
    }

    private void write(RoutingContext rc, Microversion version, ApiResponse r) {
        HttpServerResponse resp = rc.response().setStatusCode(r.status());
        if (r.bare()) {
            resp.putHeader("X-OpenStack-Request-Id", "req-" + UUID.randomUUID());
            resp.putHeader(Microversion.HEADER, "volume " + version);
            resp.putHeader("Vary", Microversion.HEADER);
            resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=UTF-8").end();
            return;
        }
        commonHeaders(resp, version.toString());
        r.headers().forEach(resp::putHeader);
        String type = responseType(rc);
        if (r.body() == null) {
            resp.putHeader(HttpHeaders.CONTENT_TYPE, type).end();
        } else {
            resp.putHeader(HttpHeaders.CONTENT_TYPE, type).end(r.body().encode());
        }
    }

    /**
     * cinder's best_match_content_type for a successful answer: the one of its two JSON media
     * types the Accept header prefers, application/json when neither. (Its fault path only
     * knows application/json and fails on the other; Ember's faults stay application/json.)
     */
    private static String responseType(RoutingContext rc) {
        String best = Faults.bestOffer(rc.request().getHeader(HttpHeaders.ACCEPT),
                List.of("application/json", "application/vnd.openstack.volume+json"));
        return best == null ? "application/json" : best;
    }

    private void writeFault(RoutingContext rc, Microversion version, int status, String message, Map<String, String> headers) {
        writeFault(rc, version == null ? Microversion.MIN.toString() : version.toString(), status, message, headers);
    }

    /** A fault envelope; {@code version} is echoed in the version headers, none when null. */
    private void writeFault(RoutingContext rc, String version, int status, String message, Map<String, String> headers) {
        HttpServerResponse resp = rc.response();
        if (resp.ended()) {
            return;
        }
        resp.setStatusCode(status);
        commonHeaders(resp, version);
        headers.forEach(resp::putHeader);
        resp.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Faults.body(status, message).encode());
    }

    private static void commonHeaders(HttpServerResponse resp, String version) {
        String reqId = "req-" + UUID.randomUUID();
        resp.putHeader("X-OpenStack-Request-Id", reqId);
        resp.putHeader("X-Compute-Request-Id", reqId);
        if (version != null) {
            resp.putHeader(Microversion.HEADER, "volume " + version);
            resp.putHeader("Vary", Microversion.HEADER);
        }
    }

    private void versions(RoutingContext rc, int status) {
        // The versions documents are cinder Resources too: the header is negotiated (and echoed),
        // and a body is refused as for any method that takes none.
        Microversion version = negotiate(rc);
        if (version == null) {
            return;
        }
        var body = rc.body() == null ? null : rc.body().buffer();
        if (body != null && body.length() > 0) {
            String ct = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (!Faults.SUPPORTED_CONTENT_TYPES.contains((ct == null ? "text/plain" : ct).split(";", 2)[0])) {
                writeFault(rc, version.toString(), 415, "Unsupported Content-Type", Map.of());
                return;
            }
            boolean parses;
            try {
                JsonNode n = JSON.readTree(body.getBytes());
                parses = n != null && !n.isMissingNode();
            } catch (java.io.IOException | RuntimeException e) {
                parses = false;
            }
            writeFault(rc, version.toString(), 400, parses ? Microversion.GENERIC_BAD_REQUEST : "Malformed request body",
                    Map.of());
            return;
        }
        String appUrl = Links.applicationUrl(rc.request(), settings.publicEndpoint(), false);
        JsonObject v = new JsonObject()
                .put("id", "v3.0").put("status", "CURRENT")
                .put("version", Microversion.MAX.toString()).put("min_version", Microversion.MIN.toString())
                .put("updated", "2022-08-31T00:00:00Z")
                .put("links", new JsonArray()
                        .add(new JsonObject().put("rel", "describedby").put("type", "text/html")
                                .put("href", "https://docs.openstack.org/"))
                        .add(new JsonObject().put("rel", "self").put("href", appUrl + "/v3/")))
                .put("media-types", new JsonArray().add(new JsonObject().put("base", "application/json")
                        .put("type", "application/vnd.openstack.volume+json;version=3")));
        HttpServerResponse resp = rc.response().setStatusCode(status);
        commonHeaders(resp, version.toString());
        resp.putHeader(HttpHeaders.CONTENT_TYPE, responseType(rc))
                .end(new JsonObject().put("versions", new JsonArray().add(v)).encode());
    }
}
