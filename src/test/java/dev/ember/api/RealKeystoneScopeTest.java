package dev.ember.api;

import dev.ember.config.Config;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.RealKeystone;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ember in keystone mode against Debian's real Keystone (devstack/lib/keystone.sh and its
 * fixture): tokens scoped to a project, a domain and the system, with the admin, member and
 * reader roles, on the backup, volume, snapshot, attachment and group routes (groups are rows of
 * cinder's table, which Ember only lists). Every cell expects what
 * cinder 21 (Zed) answers with its default policies:
 *
 * <ul>
 *   <li>lists show the token's own project; a token without a project sees nothing of any
 *       project (cinder filters {@code project_id IS NULL}); only an admin role with
 *       {@code all_tenants} sees every project;</li>
 *   <li>another project's object is "not found" to a project-scoped caller; a caller without a
 *       project finds it but fails the policy (403 for backups and snapshots, 404 for volumes,
 *       whose get turns the refusal into VolumeNotFound), except admins;</li>
 *   <li>readers cannot write (403 where they can see the object, 404 where they cannot);</li>
 *   <li>project-less URLs ({@code /v3/backups}) answer at every microversion, as cinder's router
 *       connects them unconditionally; a project in the URL that is not the token's is 400.</li>
 * </ul>
 *
 * Each test collects every cell and fails once, listing the cells that differ.
 */
class RealKeystoneScopeTest {

    static RealKeystone ks;
    static EmberServer server;
    static String base;
    static String projectA;
    static String projectB;
    static final Map<String, String> TOKENS = new LinkedHashMap<>();
    static String volA;
    static String volB;
    static String backupA;
    static String backupB;
    static String snapA;
    static String snapB;
    static String attA;
    static String groupA;
    static String groupB;

    /** Who the fixture users are: project (null without one) and whether they hold admin. */
    record Who(String user, String project, boolean admin) {
    }

    static List<Who> everyone;

    @BeforeAll
    static void start() throws Exception {
        ks = RealKeystone.get();
        projectA = ks.projectId("a");
        projectB = ks.projectId("b");
        Config cfg = ks.withAuthToken(EmberServer.baseConfig(Files.createTempDirectory("ember-realks"))
                .with("DEFAULT", "host", "ember-realks-test"));
        EmberServer.shared(); // the shared database schema exists first
        server = EmberServer.start(cfg);
        base = "http://127.0.0.1:" + server.ember.port();
        for (String u : List.of("a-admin", "a-member", "a-reader", "b-member", "b-reader", "d-reader", "d-admin",
                "s-reader", "s-admin")) {
            TOKENS.put(u, ks.token(u));
        }
        everyone = List.of(new Who("a-admin", projectA, true), new Who("a-member", projectA, false),
                new Who("a-reader", projectA, false), new Who("b-reader", projectB, false),
                new Who("d-reader", null, false), new Who("d-admin", null, true),
                new Who("s-reader", null, false), new Who("s-admin", null, true));

        Api memberA = api("a-member", projectA);
        Api memberB = api("b-member", projectB);
        volA = memberA.createVolume(1);
        volB = memberB.createVolume(1);
        backupA = memberA.createBackup(volA, false);
        backupB = memberB.createBackup(volB, false);
        memberA.awaitBackupStatus(backupA, "available");
        memberB.awaitBackupStatus(backupB, "available");
        snapA = created(memberA.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + volA + "\"}}"), "snapshot");
        snapB = created(memberB.post("/snapshots", "{\"snapshot\": {\"volume_id\": \"" + volB + "\"}}"), "snapshot");
        attA = created(memberA.call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + volA
                + "\", \"instance_uuid\": \"" + UUID.randomUUID() + "\"}}", "3.27"), "attachment");
        created(memberB.call("POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + volB
                + "\", \"instance_uuid\": \"" + UUID.randomUUID() + "\"}}", "3.27"), "attachment");
        groupA = UUID.randomUUID().toString();
        groupB = UUID.randomUUID().toString();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(dev.ember.testing.TestDatabase.jdbcUrl(),
                dev.ember.testing.TestDatabase.user(), dev.ember.testing.TestDatabase.password());
             java.sql.Statement st = c.createStatement()) {
            st.execute("INSERT INTO `groups` (id, project_id, name, status, availability_zone, group_type_id, created_at,"
                    + " deleted) VALUES ('" + groupA + "', '" + projectA + "', 'ga', 'available', 'nova', 'gt', NOW(), 0),"
                    + " ('" + groupB + "', '" + projectB + "', 'gb', 'available', 'nova', 'gt', NOW(), 0)");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.ember.close();
        }
    }

    static String created(Api.Resp r, String kind) {
        if (r.status() != 202 && r.status() != 200) {
            throw new AssertionError(kind + " create: " + r.status() + " " + r.text());
        }
        return r.json().getJsonObject(kind).getString("id");
    }

    /** A caller with the user's token; URLs made from a relative path carry {@code project} (if any). */
    static Api api(String user, String project) {
        return new Api(base).withToken(TOKENS.get(user), project == null ? "" : project);
    }

    static Api api(Who w) {
        return api(w.user(), w.project());
    }

    /** URL of {@code path} without a project, or with the caller's project. */
    static String url(Who w, boolean withProject, String path) {
        return base + "/v3" + (withProject ? "/" + w.project() : "") + path;
    }

    final List<String> mismatches = new ArrayList<>();
    int cells;

    void expect(String cell, Object expected, Object actual, String body) {
        cells++;
        if (!expected.equals(actual)) {
            mismatches.add(cell + ": expected " + expected + ", got " + actual
                    + (body == null ? "" : " " + body.substring(0, Math.min(200, body.length()))));
        }
    }

    void verdict() {
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + cells + " cells differ from cinder:\n  "
                + String.join("\n  ", mismatches));
    }

    /** Which of the fixture's two projects' objects a list shows: "A", "B", both or none. */
    static Set<String> projectsSeen(JsonArray items, String idA, String idB) {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            String id = items.getJsonObject(i).getString("id");
            if (id.equals(idA)) {
                seen.add("A");
            } else if (id.equals(idB)) {
                seen.add("B");
            }
        }
        return seen;
    }

    static Set<String> expectedSeen(Who w, boolean allTenants) {
        if (w.admin() && allTenants) {
            return Set.of("A", "B");
        }
        if (w.project() == null) {
            return Set.of();
        }
        return Set.of(w.project().equals(projectA) ? "A" : "B");
    }

    @Test
    void listsShowTheTokensProjectOnly() {
        record Listing(String path, String key, String idA, String idB, String minVersion) {
        }
        List<Listing> listings = List.of(
                new Listing("/backups", "backups", backupA, backupB, "3.0"),
                new Listing("/backups/detail", "backups", backupA, backupB, "3.0"),
                new Listing("/volumes", "volumes", volA, volB, "3.0"),
                new Listing("/volumes/detail", "volumes", volA, volB, "3.0"),
                new Listing("/snapshots/detail", "snapshots", snapA, snapB, "3.0"),
                new Listing("/attachments", "attachments", attA, null, "3.27"),
                new Listing("/groups/detail", "groups", groupA, groupB, "3.13"));
        for (Who w : everyone) {
            Api a = api(w);
            for (Listing l : listings) {
                for (String mv : new TreeSet<>(List.of(l.minVersion(), "3.67"))) {
                    for (boolean withProject : w.project() == null ? List.of(false) : List.of(true, false)) {
                        for (boolean all : List.of(false, true)) {
                            String u = url(w, withProject, l.path()) + (all ? "?all_tenants=1" : "");
                            String cell = w.user() + " GET " + (withProject ? "/v3/{project}" : "/v3") + l.path()
                                    + (all ? "?all_tenants=1" : "") + " @" + mv;
                            Api.Resp r = a.call("GET", u, null, mv);
                            expect(cell + " status", 200, r.status(), r.text());
                            if (r.status() != 200) {
                                continue;
                            }
                            JsonArray items = r.json().getJsonArray(l.key());
                            Set<String> want = new TreeSet<>(expectedSeen(w, all));
                            if (l.idB() == null) {
                                want.remove("B");
                            }
                            expect(cell + " projects", want, projectsSeen(items, l.idA(), l.idB()), null);
                            if (w.project() == null && !(w.admin() && all)) {
                                // cinder's filter is project_id IS NULL: nothing of any project.
                                expect(cell + " size", 0, items.size(), r.text());
                            }
                        }
                    }
                }
            }
        }
        // A project in the URL that is not the token's: cinder's "Malformed request url".
        for (Who w : everyone) {
            if (!projectA.equals(w.project())) {
                Api.Resp r = api(w).call("GET", base + "/v3/" + projectA + "/backups/detail", null, "3.0");
                expect(w.user() + " GET /v3/{A}/backups/detail", 400, r.status(), r.text());
                r = api(w).call("GET", base + "/v3/" + projectA + "/volumes/detail", null, "3.0");
                expect(w.user() + " GET /v3/{A}/volumes/detail", 400, r.status(), r.text());
            }
        }
        verdict();
    }

    /** cinder's answer to GET of an object of project A. */
    static int showStatus(Who w, String kind) {
        if (projectA.equals(w.project()) || w.admin()) {
            return 200;
        }
        if (w.project() != null) {
            return 404; // the project filter hides it
        }
        // Found (no project filter without a project), then the policy refuses: volumes hide it.
        return kind.equals("volumes") ? 404 : 403;
    }

    @Test
    void showFollowsProjectAndScope() {
        Map<String, String> objects = Map.of("backups", backupA, "volumes", volA, "snapshots", snapA);
        for (Who w : everyone) {
            for (var e : objects.entrySet()) {
                for (String mv : List.of("3.0", "3.67")) {
                    for (boolean withProject : w.project() == null ? List.of(false) : List.of(true, false)) {
                        String path = "/" + e.getKey() + "/" + e.getValue();
                        Api.Resp r = api(w).call("GET", url(w, withProject, path), null, mv);
                        expect(w.user() + " GET " + (withProject ? "/v3/{project}" : "/v3") + "/" + e.getKey()
                                + "/{A} @" + mv, showStatus(w, e.getKey()), r.status(), r.text());
                    }
                }
            }
        }
        // cinder's attachment show checks no policy: a project-scoped caller of another project does
        // not find it, a caller without a project does (cinder 21's _attachment_get(project_only)).
        for (Who w : everyone) {
            Api.Resp r = api(w).call("GET", base + "/v3/attachments/" + attA, null, "3.27");
            int want = w.project() == null || projectA.equals(w.project()) ? 200 : 404;
            expect(w.user() + " GET /v3/attachments/{A} @3.27", want, r.status(), r.text());
        }
        verdict();
    }

    @Test
    void readersCannotWriteAnywhere() {
        for (Who w : everyone) {
            if (w.admin() || w.user().equals("a-member")) {
                continue;
            }
            boolean own = projectA.equals(w.project());
            boolean otherProject = w.project() != null && !own;
            Api a = api(w);
            // Visible objects refuse with 403, invisible ones are 404 (see showStatus).
            int backupSeen = own ? 403 : otherProject ? 404 : 403;
            int volumeSeen = own ? 403 : 404;
            int snapshotSeen = own ? 403 : otherProject ? 404 : 403;
            int attachSeen = own ? 403 : otherProject ? 404 : 403;
            String vb = "{\"volume_id\": \"" + volA + "\"}";
            check(a, w, "POST", "/backups", "{\"backup\": " + vb + "}", "3.0", own ? 403 : 404);
            check(a, w, "DELETE", "/backups/" + backupA, null, "3.0", backupSeen);
            check(a, w, "POST", "/backups/" + backupA + "/restore", "{\"restore\": {}}", "3.0", backupSeen);
            check(a, w, "PUT", "/backups/" + backupA, "{\"backup\": {\"name\": \"x\"}}", "3.9", backupSeen);
            check(a, w, "POST", "/volumes", "{\"volume\": {\"size\": 1}}", "3.0", 403);
            check(a, w, "DELETE", "/volumes/" + volA, null, "3.0", volumeSeen);
            check(a, w, "POST", "/volumes/" + volA + "/action", "{\"os-extend\": {\"new_size\": 2}}", "3.0", volumeSeen);
            check(a, w, "POST", "/snapshots", "{\"snapshot\": " + vb + "}", "3.0", volumeSeen);
            check(a, w, "DELETE", "/snapshots/" + snapA, null, "3.0", snapshotSeen);
            check(a, w, "POST", "/attachments", "{\"attachment\": {\"volume_uuid\": \"" + volA
                    + "\", \"instance_uuid\": \"" + UUID.randomUUID() + "\"}}", "3.27", attachSeen);
            check(a, w, "DELETE", "/attachments/" + attA, null, "3.27", attachSeen);
        }
        // Nothing was changed by the refused calls.
        Api memberA = api("a-member", projectA);
        expect("backup A still there", 200, memberA.get("/backups/" + backupA).status(), null);
        expect("volume A size", 1, memberA.volume(volA).getInteger("size"), null);
        expect("snapshot A still there", 200, memberA.get("/snapshots/" + snapA).status(), null);
        verdict();
    }

    void check(Api a, Who w, String method, String path, String body, String mv, int expected) {
        Api.Resp r = a.call(method, base + "/v3" + path, body, mv);
        expect(w.user() + " " + method + " /v3" + path.replace(volA, "{volA}").replace(backupA, "{backupA}")
                .replace(snapA, "{snapA}").replace(attA, "{attA}") + " @" + mv, expected, r.status(), r.text());
    }

    @Test
    void membersAndAdminsMayWriteWhereCinderLetsThem() {
        Api memberA = api("a-member", projectA);
        String v1 = memberA.createVolume(1);
        memberA.awaitVolumeStatus(v1, "available");
        Api.Resp r = memberA.delete("/volumes/" + v1);
        expect("a-member DELETE own volume", 202, r.status(), r.text());
        String v2 = memberA.createVolume(1);
        memberA.awaitVolumeStatus(v2, "available");
        // An admin role in any scope is cinder's context_is_admin: the domain admin may delete it.
        r = api("d-admin", null).call("DELETE", base + "/v3/volumes/" + v2, null, "3.67");
        expect("d-admin DELETE volume of A", 202, r.status(), r.text());
        // Admin-only backup actions refuse readers of every scope and members.
        for (String u : List.of("a-member", "a-reader", "d-reader", "s-reader")) {
            Who w = everyone.stream().filter(x -> x.user().equals(u)).findFirst().orElse(new Who(u, projectA, false));
            r = api(w).call("POST", base + "/v3/backups/" + backupA + "/action",
                    "{\"os-reset_status\": {\"status\": \"error\"}}", "3.0");
            expect(u + " os-reset_status backup A", 403, r.status(), r.text());
        }
        JsonObject b = memberA.backup(backupA);
        expect("backup A still available", "available", b == null ? null : b.getString("status"), null);
        verdict();
    }
}
