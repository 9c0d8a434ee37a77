package dev.ember.testing;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;

/** A small HTTP client for the API tests: one project (noauth token user:project) per instance. */
public final class Api {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final String base;
    public final String project;
    public final String user;
    private final String version;
    private final String token;

    public Api(String base) {
        this(base, UUID.randomUUID().toString().replace("-", ""), "u" + UUID.randomUUID().toString().substring(0, 8),
                null);
    }

    private Api(String base, String project, String user, String version) {
        this(base, project, user, version, user + ":" + project);
    }

    private Api(String base, String project, String user, String version, String token) {
        this.base = base;
        this.project = project;
        this.user = user;
        this.version = version;
        this.token = token;
    }

    /** A caller presenting {@code token} (a Keystone token; null sends none) for {@code project}. */
    public Api withToken(String token, String project) {
        return new Api(base, project, user, version, token);
    }

    /** The same caller in a fresh project. */
    public Api newProject() {
        return new Api(base, UUID.randomUUID().toString().replace("-", ""), user, version);
    }

    public Api version(String v) {
        return new Api(base, project, user, v, token);
    }

    /** A response: status, headers, parsed body (null when empty or not JSON). */
    public record Resp(int status, java.net.http.HttpHeaders headers, String text) {
        public JsonObject json() {
            return text == null || text.isBlank() ? null : new JsonObject(text);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public Resp call(String method, String path, String body) {
        return call(method, path, body, version);
    }

    public Resp call(String method, String path, String body, String mv) {
        String url = path.startsWith("http") ? path : base + (path.startsWith("/v3") || path.equals("/") ? path
                : "/v3/" + project + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("X-Auth-Token", token);
        }
        if (mv != null) {
            b.header("OpenStack-API-Version", mv.contains(" ") ? mv : "volume " + mv);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.headers(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + url + ": " + e, e);
        }
    }

    /** Sends arbitrary bytes and headers: the fuzzer's way in. */
    public Resp raw(String method, String path, byte[] body, java.util.Map<String, String> headers) {
        String url = base + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.headers(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + url + ": " + e, e);
        }
    }

    public Resp get(String path) {
        return call("GET", path, null);
    }

    public Resp post(String path, String body) {
        return call("POST", path, body);
    }

    public Resp put(String path, String body) {
        return call("PUT", path, body);
    }

    public Resp delete(String path) {
        return call("DELETE", path, null);
    }

    public String createVolume(int sizeGb) {
        Resp r = post("/volumes", "{\"volume\": {\"size\": " + sizeGb + "}}");
        if (r.status() != 202) {
            throw new AssertionError("volume create: " + r.status() + " " + r.text());
        }
        return r.json().getJsonObject("volume").getString("id");
    }

    public String createBackup(String volumeId, boolean incremental) {
        Resp r = post("/backups", "{\"backup\": {\"volume_id\": \"" + volumeId + "\", \"incremental\": " + incremental + "}}");
        if (r.status() != 202) {
            throw new AssertionError("backup create: " + r.status() + " " + r.text());
        }
        return r.json().getJsonObject("backup").getString("id");
    }

    public JsonObject backup(String id) {
        Resp r = call("GET", "/backups/" + id, null, "3.64");
        return r.status() == 200 ? r.json().getJsonObject("backup") : null;
    }

    public JsonObject volume(String id) {
        Resp r = get("/volumes/" + id);
        return r.status() == 200 ? r.json().getJsonObject("volume") : null;
    }

    /** Polls the backup until {@code done} holds (null = gone), failing after 60 s. */
    public JsonObject awaitBackup(String id, Predicate<JsonObject> done) {
        return awaitBackup(id, done, Duration.ofSeconds(60));
    }

    public JsonObject awaitBackup(String id, Predicate<JsonObject> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject b = null;
        while (System.nanoTime() < deadline) {
            b = backup(id);
            if (done.test(b)) {
                return b;
            }
            sleep();
        }
        throw new AssertionError("backup " + id + " did not reach the expected state; last: " + b);
    }

    public JsonObject awaitBackupStatus(String id, String status) {
        return awaitBackup(id, b -> b != null && status.equals(b.getString("status")));
    }

    public JsonObject awaitVolumeStatus(String id, String status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonObject v = null;
        while (System.nanoTime() < deadline) {
            v = volume(id);
            if (v != null && status.equals(v.getString("status"))) {
                return v;
            }
            sleep();
        }
        throw new AssertionError("volume " + id + " did not reach " + status + "; last: " + v);
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
