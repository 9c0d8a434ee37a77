package dev.ember.testing;

import dev.ember.config.Config;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real Keystone on 127.0.0.1:5000 as devstack/lib/keystone.sh runs it, with the fixture
 * that script writes to data/keystone/fixture.json (domain ember-test, projects ember-a and
 * ember-b, users per scope and role). Started through keystone_ensure_running when it is installed
 * but not answering. Skips only when Keystone is not installed and
 * {@code EMBER_TEST_KEYSTONE_REQUIRED} is not 1 (tests/run sets it).
 */
public final class RealKeystone {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private static RealKeystone instance;

    public final JsonObject fixture;
    public final String authUrl;

    private RealKeystone(JsonObject fixture) {
        this.fixture = fixture;
        this.authUrl = fixture.getString("auth_url");
    }

    /** The running Keystone with its fixture; skips or fails the calling test as described above. */
    public static synchronized RealKeystone get() throws Exception {
        if (instance != null) {
            return instance;
        }
        Path root = projectRoot();
        boolean installed = Files.isExecutable(Path.of("/usr/bin/keystone-wsgi-public"));
        boolean required = "1".equals(System.getenv("EMBER_TEST_KEYSTONE_REQUIRED"));
        Assumptions.assumeTrue(installed || required,
                "keystone is not installed (no /usr/bin/keystone-wsgi-public) and EMBER_TEST_KEYSTONE_REQUIRED is not 1;"
                        + " run devstack/lib/keystone.sh's keystone_ensure_running or tests/run");
        Path fixtureFile = root.resolve("data/keystone/fixture.json");
        if (!answers("http://127.0.0.1:5000/v3") || !Files.isRegularFile(fixtureFile)) {
            Process p = new ProcessBuilder("bash", "-c",
                    ". devstack/lib/services.sh && . devstack/lib/keystone.sh && keystone_ensure_running")
                    .directory(root.toFile()).redirectErrorStream(true).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("keystone_ensure_running failed (exit "
                        + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            }
        }
        instance = new RealKeystone(new JsonObject(Files.readString(fixtureFile)));
        return instance;
    }

    private static Path projectRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("devstack/lib/keystone.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the checkout (devstack/lib/keystone.sh) above user.dir");
        }
        return p;
    }

    private static boolean answers(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String projectId(String key) {
        return fixture.getJsonObject("projects").getJsonObject(key).getString("id");
    }

    public String domainId() {
        return fixture.getJsonObject("domain").getString("id");
    }

    /** The Keystone options for Ember's {@code [keystone_authtoken]}, as the fixture's service user. */
    public Config withAuthToken(Config cfg) {
        JsonObject svc = fixture.getJsonObject("service_user");
        return cfg.with("DEFAULT", "auth_strategy", "keystone")
                .with("keystone_authtoken", "auth_url", authUrl)
                .with("keystone_authtoken", "www_authenticate_uri", authUrl)
                .with("keystone_authtoken", "auth_type", "password")
                .with("keystone_authtoken", "username", svc.getString("name"))
                .with("keystone_authtoken", "password", svc.getString("password"))
                .with("keystone_authtoken", "user_domain_name", svc.getString("domain"))
                .with("keystone_authtoken", "project_name", svc.getString("project"))
                .with("keystone_authtoken", "project_domain_name", svc.getString("project_domain"));
    }

    /**
     * A token for fixture user {@code user} (e.g. "a-reader", "d-admin", "s-reader") scoped as the
     * fixture assigns its role: to its project, to the domain or to the system.
     */
    public String token(String user) {
        JsonObject u = fixture.getJsonObject("users").getJsonObject(user);
        if (u == null) {
            throw new IllegalArgumentException("no fixture user " + user);
        }
        JsonObject scope = switch (u.getString("scope")) {
            case "project" -> new JsonObject().put("project", new JsonObject().put("id", u.getString("project")));
            case "domain" -> new JsonObject().put("domain", new JsonObject().put("id", domainId()));
            case "system" -> new JsonObject().put("system", new JsonObject().put("all", true));
            default -> throw new IllegalStateException(u.encode());
        };
        JsonObject body = new JsonObject().put("auth", new JsonObject()
                .put("identity", new JsonObject().put("methods", new io.vertx.core.json.JsonArray().add("password"))
                        .put("password", new JsonObject().put("user", new JsonObject().put("id", u.getString("id"))
                                .put("password", fixture.getString("password")))))
                .put("scope", scope));
        HttpRequest req = HttpRequest.newBuilder(URI.create(authUrl + "/auth/tokens?nocatalog"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("token for " + user + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return r.headers().firstValue("X-Subject-Token").orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException("token for " + user + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
