package dev.ember.api;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST contract: versions, microversions, views, validation, paging, errors. */
class ApiContractTest {

    static EmberServer server;
    Api api;

    @BeforeAll
    static void start() throws Exception {
        server = EmberServer.shared();
    }

    @BeforeEach
    void project() {
        api = server.api.newProject();
    }

    static String message(Api.Resp r, String fault) {
        JsonObject f = r.json().getJsonObject(fault);
        assertNotNull(f, "expected fault " + fault + " in " + r.text());
        assertEquals(r.status(), f.getInteger("code"));
        return f.getString("message");
    }

    // ------------------------------------------------------------------ versions

    @Test
    void versionDocuments() {
        Api.Resp root = api.get("/");
        assertEquals(300, root.status());
        JsonObject v = root.json().getJsonArray("versions").getJsonObject(0);
        assertEquals("v3.0", v.getString("id"));
        assertEquals("3.70", v.getString("version"));
        assertEquals("3.0", v.getString("min_version"));
        assertEquals("CURRENT", v.getString("status"));
        assertEquals(api.base + "/v3/", v.getJsonArray("links").getJsonObject(1).getString("href"));
        assertEquals(200, api.get("/v3/").status());
    }

    @Test
    void versionDocumentsNegotiateTheHeaderLikeCinder() {
        // The versions documents are cinder Resources: the header is negotiated and echoed there too.
        Api.Resp latest = api.call("GET", "/", null, "latest");
        assertEquals(300, latest.status());
        assertEquals("volume 3.70", latest.header("OpenStack-API-Version"));
        Api.Resp four = api.call("GET", "/", null, "4.0");
        assertEquals(406, four.status());
        assertEquals("Version 4.0 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
                message(four, "computeFault"));
        assertEquals("volume 4.0", four.header("OpenStack-API-Version"));
        Api.Resp v3 = api.call("GET", "/v3/", null, "3.5");
        assertEquals(200, v3.status());
        assertEquals("volume 3.5", v3.header("OpenStack-API-Version"));
        Api.Resp other = api.call("GET", "/", null, "compute 3.5");
        assertEquals(400, other.status());
        assertNull(other.header("OpenStack-API-Version"));
    }

    @Test
    void versionDocumentsAnswerAnyMethod() {
        Map<String, String> h = Map.of("X-Auth-Token", api.user + ":" + api.project);
        assertEquals(300, api.raw("POST", "/", null, h).status());
        assertEquals(300, api.raw("DELETE", "/", null, h).status());
        assertEquals(200, api.raw("PUT", "/v3/", null, h).status());
        Api.Resp body = api.raw("POST", "/v3/", "{\"a\": 1}".getBytes(),
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Content-Type", "application/json"));
        assertEquals(400, body.status());
        assertEquals(Microversion.GENERIC_BAD_REQUEST, message(body, "badRequest"));
        assertEquals(302, api.raw("POST", "/v3", null, h).status());
    }

    @Test
    void v3WithoutSlashRedirectsLikeCinder() {
        // cinder's v3 router (routes' redirect): 302, absolute Location, empty text/plain body.
        Api.Resp r = api.raw("GET", "/v3", null, Map.of("X-Auth-Token", api.user + ":" + api.project));
        assertEquals(302, r.status());
        assertEquals(api.base + "/v3/", r.header("Location"));
        assertEquals("text/plain; charset=utf8", r.header("Content-Type"));
        assertEquals("", r.text());
        assertNull(r.header("OpenStack-API-Version"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "           | 200 | volume 3.0",
            "volume 3.0 | 200 | volume 3.0",
            "volume 3.64| 200 | volume 3.64",
            "volume latest | 200 | volume 3.70",
            "compute 2.1, volume 3.50 | 200 | volume 3.50",
            "'volume 3.5, volume 3.6' | 200 | volume 3.5",
            // cinder looks for the substring "volume" in an item, case-sensitively.
            "volumes 3.5 | 200 | volume 3.5",
    })
    void microversionNegotiation(String header, int status, String echoed) {
        Api.Resp r = api.call("GET", "/backups", null, header == null ? null : header);
        assertEquals(status, r.status(), r.text());
        assertEquals(echoed, r.header("OpenStack-API-Version"));
        assertEquals("OpenStack-API-Version", r.header("Vary"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // Out of range: 406, echoing the version asked for (cinder records it before the range
            // check), except where cinder's legacy test ("1.0" or "2.0" in it) drops the headers.
            "volume 3.99 | 406 | volume 3.99",
            "volume 4.0 | 406 | volume 4.0",
            "volume 2.1 | 406 | volume 2.1",
            "volume 3.99999999999999999999 | 406 | volume 3.99999999999999999999",
            "volume 2.0 | 406 | ",
            "volume 11.0 | 406 | ",
    })
    void outOfRangeVersionsAreEchoed(String header, int status, String echoed) {
        Api.Resp r = api.call("GET", "/backups", null, header);
        assertEquals(status, r.status(), r.text());
        String v = header.substring("volume ".length());
        assertEquals("Version " + v + " is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
                message(r, "computeFault"));
        assertEquals(echoed, r.header("OpenStack-API-Version"));
        assertEquals(echoed == null ? null : "OpenStack-API-Version", r.header("Vary"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "volume garbage | API Version String garbage is of invalid format. Must be of format MajorNum.MinorNum.",
            "volume 3.x | API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.",
            "volume Latest | API Version String Latest is of invalid format. Must be of format MajorNum.MinorNum.",
            "volume 0.5 | API Version String 0.5 is of invalid format. Must be of format MajorNum.MinorNum.",
            // No item naming "volume": cinder's VersionNotFoundForAPIMethod reaches its
            // FaultWrapper, which shows webob's generic 400 text.
            "compute 3.5 | The server could not comply with the request since it is either malformed or otherwise incorrect.",
            "Volume 3.5 | The server could not comply with the request since it is either malformed or otherwise incorrect.",
            // Not two words (cinder: 500, Ember: 400, see api-ref/deliberate-differences.md).
            "volume 3.5 x | The server could not comply with the request since it is either malformed or otherwise incorrect.",
    })
    void malformedVersionHeadersAre400WithoutVersionHeaders(String header, String msg) {
        Api.Resp r = api.raw("GET", "/v3/" + api.project + "/backups", null,
                java.util.Map.of("OpenStack-API-Version", header, "X-Auth-Token", api.user + ":" + api.project));
        assertEquals(400, r.status(), r.text());
        assertEquals(msg, message(r, "badRequest"));
        assertNull(r.header("OpenStack-API-Version"));
        assertNull(r.header("Vary"));
    }

    @Test
    void emptyVersionHeaderIs400AndTheLegacyHeaderIsIgnored() {
        Map<String, String> auth = Map.of("X-Auth-Token", api.user + ":" + api.project);
        Map<String, String> empty = new java.util.HashMap<>(auth);
        empty.put("OpenStack-API-Version", "");
        Api.Resp r = api.raw("GET", "/v3/" + api.project + "/backups", null, empty);
        assertEquals(400, r.status(), r.text());
        assertNull(r.header("OpenStack-API-Version"));
        // cinder 21.3 reads only OpenStack-API-Version.
        Map<String, String> legacy = new java.util.HashMap<>(auth);
        legacy.put("X-OpenStack-Volume-API-Version", "3.5");
        Api.Resp l = api.raw("GET", "/v3/" + api.project + "/backups", null, legacy);
        assertEquals(200, l.status(), l.text());
        assertEquals("volume 3.0", l.header("OpenStack-API-Version"));
    }

    // ------------------------------------------------------------------ create validation

    @Test
    void createBodyErrorsMatchCinder() {
        Api.Resp empty = api.post("/backups", "{\"backup\": {}}");
        assertEquals(400, empty.status());
        assertEquals("Invalid input for field/attribute backup. Value: {}. 'volume_id' is a required property",
                message(empty, "badRequest"));

        Api.Resp missing = api.post("/backups", "{\"backup\": {\"volume_id\": \"00000000-0000-0000-0000-000000000000\"}}");
        assertEquals(404, missing.status());
        assertEquals("Volume 00000000-0000-0000-0000-000000000000 could not be found.", message(missing, "itemNotFound"));

        Api.Resp notUuid = api.post("/backups", "{\"backup\": {\"volume_id\": \"../../etc\"}}");
        assertEquals(400, notUuid.status());
        // Value: is Python's str() of the value (cinder's "%s"), so a string shows without quotes.
        assertEquals("Invalid input for field/attribute volume_id. Value: ../../etc. '../../etc' is not a 'uuid'",
                message(notUuid, "badRequest"));

        Api.Resp extra = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + uuid() + "\", \"bogus\": 1}}");
        assertEquals(400, extra.status());
        assertTrue(message(extra, "badRequest").endsWith("Additional properties are not allowed ('bogus' was unexpected)"));

        Api.Resp rootExtra = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + uuid() + "\"}, \"x\": 1}");
        assertEquals("Additional properties are not allowed ('x' was unexpected)", message(rootExtra, "badRequest"));

        Api.Resp noBackup = api.post("/backups", "{}");
        assertEquals("'backup' is a required property", message(noBackup, "badRequest"));

        Api.Resp wrongType = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + uuid() + "\", \"name\": 5}}");
        assertEquals("Invalid input for field/attribute name. Value: 5. 5 is not of type 'string', 'null'",
                message(wrongType, "badRequest"));

        Api.Resp longName = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + uuid() + "\", \"name\": \""
                + "n".repeat(256) + "\"}}");
        assertEquals(400, longName.status());
        assertTrue(message(longName, "badRequest").endsWith(" is too long"));

        Api.Resp badBool = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + uuid() + "\", \"incremental\": \"maybe\"}}");
        assertEquals(400, badBool.status());
        assertTrue(message(badBool, "badRequest").contains("'maybe' is not one of [True, 'True'"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json",
            "{\"backup\": ",
            "[1, 2]",
            "\"backup\"",
            "null",
    })
    void malformedBodies(String body) {
        Api.Resp r = api.post("/backups", body);
        assertEquals(400, r.status(), r.text());
        assertNotNull(r.json().getJsonObject("badRequest"));
    }

    @Test
    void emptyAndHostileBodies() {
        assertEquals(400, api.post("/backups", null).status());
        assertEquals(400, api.post("/backups/" + uuid() + "/restore", null).status());
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertEquals(400, api.post("/backups", deep).status());
        Api.Resp huge = api.post("/backups", "{\"backup\": {\"name\": \"" + "x".repeat(200_000) + "\"}}");
        assertEquals(413, huge.status());
        // oslo's sizelimit answers before cinder's fault wrapper: webob's own page, not overLimit.
        assertEquals("413 Request Entity Too Large\n\nRequest is too large. Larger than max_request_body_size "
                + "(114688).\n\n   ", huge.text());
        assertEquals("text/plain; charset=UTF-8", huge.header("Content-Type"));
        assertNull(huge.header("OpenStack-API-Version"));
    }

    @Test
    void metadataIsGatedBy343() {
        String vol = api.createVolume(1);
        String body = "{\"backup\": {\"volume_id\": \"" + vol + "\", \"metadata\": {\"k\": \"v\"}}}";
        Api.Resp old = api.call("POST", "/backups", body, "3.42");
        assertEquals(400, old.status());
        assertTrue(message(old, "badRequest").contains("'metadata' was unexpected"));
        Api.Resp ok = api.call("POST", "/backups", body, "3.43");
        assertEquals(202, ok.status(), ok.text());
        String id = ok.json().getJsonObject("backup").getString("id");
        JsonObject b = api.awaitBackupStatus(id, "available");
        assertEquals(new JsonObject().put("k", "v"), b.getJsonObject("metadata"));

        Api.Resp badKey = api.call("POST", "/backups", "{\"backup\": {\"volume_id\": \"" + vol
                + "\", \"metadata\": {\"bad$key\": \"v\"}}}", "3.43");
        assertEquals(400, badKey.status());
    }

    /** A list at 3.43 shows each backup's own live metadata (read for the whole page at once), {} for none. */
    @Test
    void listShowsEachBackupsOwnMetadata() {
        Api own = api.newProject();
        String vol = own.createVolume(1);
        Map<String, String> ids = new java.util.HashMap<>();
        for (String md : List.of("{\"a\": \"1\", \"b\": \"2\"}", "{\"c\": \"3\"}", "{}")) {
            Api.Resp r = own.call("POST", "/backups", "{\"backup\": {\"volume_id\": \"" + vol
                    + "\", \"incremental\": " + !ids.isEmpty() + ", \"metadata\": " + md + "}}", "3.43");
            assertEquals(202, r.status(), r.text());
            String id = r.json().getJsonObject("backup").getString("id");
            own.awaitBackupStatus(id, "available");
            ids.put(id, md);
        }
        String first = ids.entrySet().stream().filter(e -> e.getValue().contains("\"a\"")).findFirst().orElseThrow().getKey();
        assertEquals(200, own.call("PUT", "/backups/" + first, "{\"backup\": {\"metadata\": {\"a\": \"9\"}}}", "3.43").status());
        ids.put(first, "{\"a\": \"9\"}");
        JsonArray listed = own.call("GET", "/backups/detail", null, "3.43").json().getJsonArray("backups");
        assertEquals(3, listed.size(), listed.encode());
        for (int i = 0; i < listed.size(); i++) {
            JsonObject b = listed.getJsonObject(i);
            assertEquals(new JsonObject(ids.get(b.getString("id"))), b.getJsonObject("metadata"), b.encode());
        }
    }

    // ------------------------------------------------------------------ views

    @Test
    void detailKeysFollowMicroversions() {
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");
        List<String> base = List.of("id", "status", "size", "object_count", "availability_zone", "container",
                "created_at", "updated_at", "name", "description", "fail_reason", "volume_id", "links",
                "is_incremental", "has_dependent_backups", "snapshot_id", "data_timestamp");
        JsonObject v30 = api.call("GET", "/backups/" + id, null, "3.0").json().getJsonObject("backup");
        assertEquals(base, new ArrayList<>(v30.fieldNames()));
        JsonObject v318 = api.call("GET", "/backups/" + id, null, "3.18").json().getJsonObject("backup");
        assertEquals(api.project, v318.getString("os-backup-project-attr:project_id"));
        assertFalse(v318.containsKey("metadata"));
        JsonObject v364 = api.call("GET", "/backups/" + id, null, "3.64").json().getJsonObject("backup");
        List<String> full = new ArrayList<>(base);
        full.addAll(List.of("metadata", "os-backup-project-attr:project_id", "user_id"));
        assertEquals(full, new ArrayList<>(v364.fieldNames()));
        assertEquals(api.user, v364.getString("user_id"));
        assertTrue(v364.getString("created_at").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000000"));
        JsonArray links = v364.getJsonArray("links");
        assertEquals(api.base + "/v3/" + api.project + "/backups/" + id, links.getJsonObject(0).getString("href"));
        assertEquals(api.base + "/" + api.project + "/backups/" + id, links.getJsonObject(1).getString("href"));

        JsonObject summary = api.get("/backups").json().getJsonArray("backups").getJsonObject(0);
        assertEquals(Set.of("id", "name", "links"), summary.fieldNames());
    }

    @Test
    void availabilityZoneIsNullLikeCinder() {
        // cinder 21.x stores no zone for a backup (captures: "availability_zone": null), even when
        // the 3.51 request names one.
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");
        Api.Resp az = api.call("POST", "/backups", "{\"backup\": {\"volume_id\": \"" + vol
                + "\", \"availability_zone\": \"nova\"}}", "3.51");
        assertEquals(202, az.status(), az.text());
        String id2 = az.json().getJsonObject("backup").getString("id");
        api.awaitBackupStatus(id2, "available");
        for (String b : List.of(id, id2)) {
            JsonObject shown = api.backup(b);
            assertTrue(shown.containsKey("availability_zone"));
            assertNull(shown.getValue("availability_zone"), shown.encode());
        }
        JsonArray detail = api.get("/backups/detail").json().getJsonArray("backups");
        assertEquals(2, detail.size());
        detail.forEach(o -> assertNull(((JsonObject) o).getValue("availability_zone")));
        String url = api.get("/backups/" + id + "/export_record").json().getJsonObject("backup-record")
                .getString("backup_url");
        JsonObject record = new JsonObject(new String(java.util.Base64.getDecoder().decode(url),
                java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(record.containsKey("availability_zone"));
        assertNull(record.getValue("availability_zone"));
        // Times as oslo.versionedobjects writes them in cinder's encode_record.
        assertTrue(record.getString("created_at").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
                record.getString("created_at"));
        assertTrue(record.getString("data_timestamp").endsWith("Z"), record.getString("data_timestamp"));
        // A NULL zone does not stop later operations from finding the backup host.
        assertEquals(202, api.delete("/backups/" + id2).status());
    }

    @Test
    void updateNeeds39() {
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");
        Api.Resp old = api.call("PUT", "/backups/" + id, "{\"backup\": {\"name\": \"x\"}}", "3.8");
        assertEquals(404, old.status());
        assertEquals("The resource could not be found.", message(old, "itemNotFound"));
        Api.Resp ok = api.call("PUT", "/backups/" + id, "{\"backup\": {\"name\": \"renamed\", \"description\": \"d\"}}", "3.9");
        assertEquals(200, ok.status(), ok.text());
        assertEquals("renamed", ok.json().getJsonObject("backup").getString("name"));
        assertEquals(Set.of("id", "name", "links"), ok.json().getJsonObject("backup").fieldNames());
        assertEquals("d", api.backup(id).getString("description"));
        Api.Resp md = api.call("PUT", "/backups/" + id, "{\"backup\": {\"metadata\": {\"a\": \"1\"}}}", "3.43");
        assertEquals(200, md.status(), md.text());
        api.call("PUT", "/backups/" + id, "{\"backup\": {\"metadata\": {\"b\": \"2\"}}}", "3.43");
        assertEquals(new JsonObject().put("b", "2"), api.backup(id).getJsonObject("metadata"));
    }

    /**
     * A PUT changes only the attributes its body names: a null clears one, metadata alone leaves
     * the name and description, and a body naming nothing changes nothing.
     */
    @Test
    void updateChangesOnlyWhatItNames() {
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");
        assertEquals(200, api.call("PUT", "/backups/" + id,
                "{\"backup\": {\"name\": \"n\", \"description\": \"d\", \"metadata\": {\"a\": \"1\"}}}", "3.43").status());
        assertEquals(200, api.call("PUT", "/backups/" + id, "{\"backup\": {\"description\": null}}", "3.43").status());
        JsonObject b = api.backup(id);
        assertEquals("n", b.getString("name"));
        assertNull(b.getString("description"));
        assertEquals(new JsonObject().put("a", "1"), b.getJsonObject("metadata"));
        assertEquals(200, api.call("PUT", "/backups/" + id, "{\"backup\": {\"metadata\": {}}}", "3.43").status());
        assertEquals(200, api.call("PUT", "/backups/" + id, "{\"backup\": {}}", "3.43").status());
        b = api.backup(id);
        assertEquals("n", b.getString("name"));
        assertEquals(new JsonObject(), b.getJsonObject("metadata"));
    }

    /** /groups lists the caller's project's live groups from cinder's table, with the fields each microversion adds. */
    @Test
    void groupsListTheProjectsGroups() throws Exception {
        String mine = java.util.UUID.randomUUID().toString();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(dev.ember.testing.TestDatabase.jdbcUrl(),
                dev.ember.testing.TestDatabase.user(), dev.ember.testing.TestDatabase.password());
             java.sql.Statement st = c.createStatement()) {
            st.execute("INSERT INTO `groups` (id, project_id, name, description, status, availability_zone, group_type_id,"
                    + " group_snapshot_id, source_group_id, replication_status, created_at, deleted) VALUES ('" + mine
                    + "', '" + api.project + "', 'g', 'gd', 'available', 'nova', 'gt', 'gs', 'sg', 'disabled',"
                    + " '2026-01-02 03:04:05', 0), (UUID(), 'someone-else', 'x', NULL, 'available', 'nova', 'gt', NULL,"
                    + " NULL, NULL, NOW(), 0), (UUID(), '" + api.project + "', 'gone', NULL, 'deleted', 'nova', 'gt',"
                    + " NULL, NULL, NULL, NOW(), 1)");
        }
        JsonArray index = api.call("GET", "/groups", null, "3.13").json().getJsonArray("groups");
        assertEquals(new JsonArray().add(new JsonObject().put("id", mine).put("name", "g")), index);
        JsonObject old = api.call("GET", "/groups/detail", null, "3.13").json().getJsonArray("groups").getJsonObject(0);
        assertEquals(Set.of("id", "status", "availability_zone", "created_at", "name", "description", "group_type",
                "volume_types"), old.fieldNames());
        JsonObject g = api.call("GET", "/groups/detail", null, "3.58").json().getJsonArray("groups").getJsonObject(0);
        assertEquals(new JsonObject().put("id", mine).put("status", "available").put("availability_zone", "nova")
                .put("created_at", "2026-01-02T03:04:05.000000").put("name", "g").put("description", "gd")
                .put("group_type", "gt").put("volume_types", new JsonArray()).put("group_snapshot_id", "gs")
                .put("source_group_id", "sg").put("replication_status", "disabled").put("project_id", api.project), g);
    }

    // ------------------------------------------------------------------ listing

    @Test
    void paginationSortingCountAndFilters() {
        String vol = api.createVolume(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Api.Resp r = api.post("/backups", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"name\": \"b" + i + "\"}}");
            String id = r.json().getJsonObject("backup").getString("id");
            api.awaitBackupStatus(id, "available");
            ids.add(id);
        }
        Api.Resp page1 = api.get("/backups?limit=2&sort=display_name:asc");
        JsonArray items = page1.json().getJsonArray("backups");
        assertEquals(2, items.size());
        assertEquals("b0", items.getJsonObject(0).getString("name"));
        assertEquals("b1", items.getJsonObject(1).getString("name"));
        String next = page1.json().getJsonArray("backups_links").getJsonObject(0).getString("href");
        // cinder: the request's parameters in order, Python-quoted, the marker appended last.
        assertEquals(api.base + "/v3/" + api.project + "/backups?limit=2&sort=display_name%3Aasc&marker="
                + items.getJsonObject(1).getString("id"), next);
        Api.Resp again = api.get("/backups?marker=" + ids.get(0) + "&limit=1&sort=display_name:asc");
        assertEquals(api.base + "/v3/" + api.project + "/backups?limit=1&sort=display_name%3Aasc&marker="
                + ids.get(1), again.json().getJsonArray("backups_links").getJsonObject(0).getString("href"));
        Api.Resp page2 = api.get(next);
        assertEquals(200, page2.status(), page2.text());
        JsonArray items2 = page2.json().getJsonArray("backups");
        assertEquals(1, items2.size());
        assertEquals("b2", items2.getJsonObject(0).getString("name"));
        assertNull(page2.json().getJsonArray("backups_links"));

        assertEquals("b2", api.get("/backups?sort_key=display_name&sort_dir=desc").json().getJsonArray("backups")
                .getJsonObject(0).getString("name"));
        assertEquals("b0", api.call("GET", "/backups?sort=name:asc", null, "3.37").json().getJsonArray("backups")
                .getJsonObject(0).getString("name"));
        assertEquals(400, api.call("GET", "/backups?sort=name:asc", null, "3.36").status());

        Api.Resp counted = api.call("GET", "/backups/detail?with_count=true&limit=1", null, "3.45");
        assertEquals(3, counted.json().getInteger("count"));
        assertEquals(1, counted.json().getJsonArray("backups").size());
        assertNotNull(counted.json().getJsonArray("backups_links"));

        assertEquals(1, api.get("/backups?name=b1").json().getJsonArray("backups").size());
        assertEquals(3, api.get("/backups?volume_id=" + vol).json().getJsonArray("backups").size());
        assertEquals(0, api.get("/backups?status=error").json().getJsonArray("backups").size());
        assertEquals(1, api.get("/backups?offset=2").json().getJsonArray("backups").size());
        // LIKE filters (3.34; the noauth caller is an admin, as in cinder): name~ is display_name
        // LIKE '%value%', other columns by their own name; unknown columns match nothing.
        assertEquals(3, api.call("GET", "/backups?name~=b", null, "3.34").json().getJsonArray("backups").size());
        assertEquals(1, api.call("GET", "/backups?name~=1", null, "3.34").json().getJsonArray("backups").size());
        assertEquals(3, api.call("GET", "/backups?status~=vail", null, "3.34").json().getJsonArray("backups").size());
        assertEquals(0, api.call("GET", "/backups?name~=zz", null, "3.34").json().getJsonArray("backups").size());
        assertEquals(0, api.call("GET", "/backups?bogus~=b", null, "3.34").json().getJsonArray("backups").size());
        assertEquals(2, api.call("GET", "/backups/detail?name~=b&with_count=true&limit=2", null, "3.45").json()
                .getJsonArray("backups").size());
        assertEquals(3, api.call("GET", "/backups/detail?name~=b&with_count=true&limit=2", null, "3.45").json()
                .getInteger("count"));
        // cinder pops one "limit"; the repeated one stays a filter on a column that does not
        // exist, so nothing matches (the noauth caller is an admin); a repeated filter takes
        // its last value.
        Api.Resp repeated = api.get("/backups?limit=1&limit=2");
        assertEquals(0, repeated.json().getJsonArray("backups").size());
        assertNull(repeated.json().getJsonArray("backups_links"));
        assertEquals(1, api.get("/backups?name=b0&name=b1").json().getJsonArray("backups").size());
        assertEquals("b1", api.get("/backups?name=b0&name=b1").json().getJsonArray("backups").getJsonObject(0)
                .getString("name"));
        Api.Resp countRepeated = api.call("GET", "/backups?with_count=maybe&with_count=true", null, "3.45");
        assertEquals(200, countRepeated.status(), countRepeated.text());
        assertEquals(0, countRepeated.json().getJsonArray("backups").size());
        // Before 3.31 "name~" is not translated: no column "name", so nothing matches.
        assertEquals(0, api.call("GET", "/backups?name~=b", null, "3.30").json().getJsonArray("backups").size());
        // Another project sees none of them.
        assertEquals(0, api.newProject().get("/backups").json().getJsonArray("backups").size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit=-1 | 400 | limit param must be positive",
            "limit=abc | 400 | limit param must be an integer",
            "offset=-5 | 400 | offset must be >= 0",
            "sort_key=bogus | 400 | Invalid input received: Invalid sort key",
            "sort=id:sideways | 400 | Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.",
            "sort=id&sort_key=id | 400 | The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.",
            "all_tenants=perhaps | 400 | all_tenants must be a boolean, got 'perhaps'.",
            "marker=00000000-0000-0000-0000-000000000001 | 404 | Backup 00000000-0000-0000-0000-000000000001 could not be found.",
    })
    void badListParameters(String query, int status, String msg) {
        Api.Resp r = api.get("/backups?" + query);
        assertEquals(status, r.status(), r.text());
        assertEquals(msg, message(r, status == 404 ? "itemNotFound" : "badRequest"));
    }

    @Test
    void hugeLimitIsCapped() {
        assertEquals(200, api.get("/backups?limit=99999999999999999999").status());
    }

    // ------------------------------------------------------------------ routing and errors

    @Test
    void notFoundAndWrongMethod() {
        Api.Resp nf = api.get("/backups/" + uuid());
        assertEquals(404, nf.status());
        assertTrue(message(nf, "itemNotFound").startsWith("Backup "));
        Api.Resp otherProject = api.call("GET", api.base + "/v3/abcdef/backups", null);
        assertEquals(400, otherProject.status());
        assertEquals("Malformed request url", message(otherProject, "badRequest"));
        Api.Resp noAction = api.post("/backups/" + uuid() + "/action", "{\"os-explode\": {}}");
        assertEquals(400, noAction.status());
        assertEquals("There is no such action: os-explode. Verify the request body and Content-Type header and "
                + "try again.", message(noAction, "badRequest"));
    }

    static final String WEBOB_404_JSON = "{\"message\": \"The resource could not be found.<br /><br />\\n\\n\\n\", "
            + "\"code\": \"404 Not Found\", \"title\": \"Not Found\"}";

    /** Paths and methods cinder has no route for: webob's bare 404, no fault envelope, no version headers. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PUT | /backups",
            "PATCH | /backups",
            "PATCH | /backups/00000000-0000-0000-0000-000000000000",
            "GET | /backups/00000000-0000-0000-0000-000000000000/action",
            "GET | /backups/00000000-0000-0000-0000-000000000000/restore",
            "POST | /backups/detail",
            "POST | /backups/00000000-0000-0000-0000-000000000000/export_record",
            "GET | /nothing-here",
            "GET | /v3/NOT_A_PROJECT/backups",
            "GET | /v2/PROJECT/backups",
            "GET | /nothing",
    })
    void unroutedRequestsGetWebobsNotFound(String method, String path) {
        String url = path.startsWith("/v") || path.equals("/nothing") ? path.replace("PROJECT", api.project)
                : "/v3/" + api.project + path;
        Map<String, String> h = new java.util.HashMap<>(Map.of("X-Auth-Token", api.user + ":" + api.project,
                "Accept", "application/json", "Content-Type", "application/json"));
        byte[] body = method.equals("GET") ? null : "{}".getBytes();
        Api.Resp json = api.raw(method, url, body, h);
        assertEquals(404, json.status(), json.text());
        assertEquals(WEBOB_404_JSON, json.text());
        assertEquals("application/json", json.header("Content-Type"));
        assertNull(json.header("OpenStack-API-Version"));
        assertNull(json.header("Vary"));
        h.remove("Accept");
        Api.Resp plain = api.raw(method, url, body, h);
        assertEquals(404, plain.status());
        assertEquals("404 Not Found\n\nThe resource could not be found.\n\n   ", plain.text());
        assertEquals("text/plain; charset=UTF-8", plain.header("Content-Type"));
        h.put("Accept", "*/*");
        Api.Resp html = api.raw(method, url, body, h);
        assertEquals("<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n"
                + "  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>", html.text());
        assertEquals("text/html; charset=UTF-8", html.header("Content-Type"));
    }

    @Test
    void optionsIsAnsweredByTheCorsFilter() {
        for (String path : List.of("/", "/v3/" + api.project + "/backups", "/v3/" + api.project + "/bogus", "/nothing")) {
            Api.Resp r = api.raw("OPTIONS", path, null, Map.of("X-Auth-Token", api.user + ":" + api.project));
            assertEquals(200, r.status(), path);
            assertEquals("", r.text());
            assertNull(r.header("Content-Type"));
            assertNull(r.header("OpenStack-API-Version"));
        }
    }

    @Test
    void noauthWithoutTokenIsTheLegacy204() {
        // cinder's NoAuthMiddleware in front of the whole v3 pipeline, routed or not.
        for (String path : List.of("/v3/" + api.project + "/backups?x=1", "/v3/", "/v3", "/v3/bogus")) {
            Api.Resp r = api.raw("GET", path, null, Map.of());
            assertEquals(204, r.status(), path);
            assertEquals("admin:admin", r.header("X-Auth-Token"));
            assertEquals((api.base + path).replaceAll("/+$", ""), r.header("X-Server-Management-Url"));
            assertEquals("text/plain; charset=UTF-8", r.header("Content-Type"));
            assertNull(r.header("OpenStack-API-Version"));
        }
        Api.Resp named = api.raw("GET", "/v3/" + api.project + "/backups", null,
                Map.of("X-Auth-User", "u1", "X-Auth-Project-Id", "p1"));
        assertEquals("u1:p1", named.header("X-Auth-Token"));
        // The versions document at / needs no token.
        assertEquals(300, api.raw("GET", "/", null, Map.of()).status());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"/backups/", "/backups/detail/", "/"})
    void trailingSlashesHaveNoRoute(String suffix) {
        Api.Resp r = api.raw("GET", "/v3/" + api.project + suffix, null,
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Accept", "application/json"));
        assertEquals(404, r.status());
        assertEquals(WEBOB_404_JSON, r.text());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GET | /backups | {} | The server could not comply with the request since it is either malformed or otherwise incorrect.",
            "GET | /backups/detail | [1] | The server could not comply with the request since it is either malformed or otherwise incorrect.",
            "DELETE | /backups/00000000-0000-0000-0000-000000000000 | '{\"x\": 1}' | The server could not comply with the request since it is either malformed or otherwise incorrect.",
            "DELETE | /backups/00000000-0000-0000-0000-000000000000 | nojson | Malformed request body",
            "GET | /backups/00000000-0000-0000-0000-000000000000/export_record | {} | The server could not comply with the request since it is either malformed or otherwise incorrect.",
    })
    void aBodyForAMethodWithoutOneIs400(String method, String path, String body, String msg) {
        // cinder hands a JSON body to the controller as "body"; index/show/delete take none.
        Api.Resp r = api.raw(method, "/v3/" + api.project + path, body.getBytes(),
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Content-Type", "application/json"));
        assertEquals(400, r.status(), r.text());
        assertEquals(msg, message(r, "badRequest"));
        assertEquals("volume 3.0", r.header("OpenStack-API-Version"));
    }

    @Test
    void theJsonFormatSuffixIsRouted() {
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        api.awaitBackupStatus(id, "available");
        assertEquals(1, api.get("/backups.json?limit=5").json().getJsonArray("backups").size());
        assertEquals(1, api.get("/backups/detail.json").json().getJsonArray("backups").size());
        assertEquals(id, api.get("/backups/" + id + ".json").json().getJsonObject("backup").getString("id"));
        // The body survives the rerouting.
        Api.Resp created = api.post("/backups.json", "{\"backup\": {\"volume_id\": \"" + vol + "\", \"name\": \"j\"}}");
        assertEquals(202, created.status(), created.text());
        assertEquals("j", created.json().getJsonObject("backup").getString("name"));
        Api.Resp xml = api.get("/backups.xml");
        assertEquals(404, xml.status());
        assertNull(xml.header("OpenStack-API-Version"));
    }

    @Test
    void checksComeInCindersOrder() {
        Map<String, String> other = Map.of("X-Auth-Token", api.user + ":" + api.project, "Content-Type", "application/json");
        // The body is parsed before the URL's project is compared ...
        Api.Resp malformed = api.raw("GET", "/v3/abcdef/backups", "{x".getBytes(), other);
        assertEquals("Malformed request body", message(malformed, "badRequest"));
        // ... which is compared before the method's arguments and microversion.
        Api.Resp url = api.raw("GET", "/v3/abcdef/backups", "{\"a\": 1}".getBytes(), other);
        assertEquals("Malformed request url", message(url, "badRequest"));
        Api.Resp old = api.raw("PUT", "/v3/abcdef/backups/" + uuid(), "{\"backup\": {}}".getBytes(),
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Content-Type", "application/json",
                        "OpenStack-API-Version", "volume 3.8"));
        assertEquals("Malformed request url", message(old, "badRequest"));
        Api.Resp oldMalformed = api.call("PUT", "/backups/" + uuid(), "{x", "3.8");
        assertEquals("Malformed request body", message(oldMalformed, "badRequest"));
    }

    @Test
    void linksFollowXForwardedHostButNotProto() {
        String vol = api.createVolume(1);
        String id = api.createBackup(vol, false);
        Map<String, String> h = Map.of("X-Auth-Token", api.user + ":" + api.project,
                "X-Forwarded-Host", "a.example, b.example:99", "X-Forwarded-Proto", "https");
        String self = api.raw("GET", "/v3/" + api.project + "/backups/" + id, null, h).json().getJsonObject("backup")
                .getJsonArray("links").getJsonObject(0).getString("href");
        // cinder: the last X-Forwarded-Host (its get_request_url); the scheme stays the request's.
        assertEquals("http://b.example:99/v3/" + api.project + "/backups/" + id, self);
        // The versions document uses the request's own application URL (views/versions.py).
        String v = api.raw("GET", "/", null, h).json().getJsonArray("versions").getJsonObject(0)
                .getJsonArray("links").getJsonObject(1).getString("href");
        assertEquals(api.base + "/v3/", v);
    }

    @Test
    void successUsesTheAcceptedJsonType() {
        Map<String, String> h = Map.of("X-Auth-Token", api.user + ":" + api.project,
                "Accept", "application/vnd.openstack.volume+json");
        assertEquals("application/vnd.openstack.volume+json",
                api.raw("GET", "/v3/" + api.project + "/backups", null, h).header("Content-Type"));
        assertEquals("application/vnd.openstack.volume+json", api.raw("GET", "/", null, h).header("Content-Type"));
        assertEquals("application/json", api.raw("GET", "/v3/" + api.project + "/backups", null,
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Accept", "text/html")).header("Content-Type"));
    }

    @Test
    void healthcheckLikeCindersPipeline() {
        Api.Resp text = api.raw("GET", "/healthcheck", null, Map.of());
        assertEquals(200, text.status());
        assertEquals("OK", text.text());
        assertEquals("text/plain; charset=UTF-8", text.header("Content-Type"));
        Api.Resp json = api.raw("GET", "/healthcheck", null, Map.of("Accept", "application/json"));
        assertEquals("{\n    \"detailed\": false,\n    \"reasons\": [\n        \"OK\"\n    ]\n}", json.text());
        assertEquals(204, api.raw("HEAD", "/healthcheck", null, Map.of()).status());
    }

    @Test
    void newAndEditAreItemNotFound() {
        for (String path : List.of("/backups/new", "/backups/" + uuid() + "/edit")) {
            Api.Resp r = api.get(path);
            assertEquals(404, r.status(), path);
            assertEquals("The resource could not be found.", message(r, "itemNotFound"));
            assertEquals("volume 3.0", r.header("OpenStack-API-Version"));
        }
    }

    @Test
    void headIsNotRouted() {
        Api.Resp r = api.raw("HEAD", "/v3/" + api.project + "/backups/" + uuid(), null,
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Accept", "*/*"));
        assertEquals(404, r.status());
        assertEquals("text/html; charset=UTF-8", r.header("Content-Type"));
        assertNull(r.header("OpenStack-API-Version"));
        // webob builds no body for HEAD: the default type stays, whatever Accept asks for.
        Api.Resp json = api.raw("HEAD", "/v3/" + api.project + "/backups", null,
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Accept", "application/json"));
        assertEquals(404, json.status());
        assertEquals("text/html; charset=UTF-8", json.header("Content-Type"));
    }

    @Test
    void webobAcceptNegotiation() {
        assertEquals("application/json", Faults.bestOffer("application/json;q=0.5, text/html;q=0.4",
                List.of("text/html", "application/json")));
        assertEquals("application/json", Faults.bestOffer("application/*", List.of("text/html", "application/json")));
        assertEquals("text/html", Faults.bestOffer("*/*", List.of("text/html", "application/json")));
        assertNull(Faults.bestOffer("image/png", List.of("text/html", "application/json")));
        assertNull(Faults.bestOffer("text/html;q=0", List.of("text/html", "application/json")));
        assertNull(Faults.bestOffer(null, List.of("text/html", "application/json")));
    }

    /** Bodies cinder's Resource cannot read: 415 badMediaType, checked before anything else. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "POST | /backups | text/plain",
            "POST | /backups | application/xml",
            "POST | /backups | Application/JSON",
            "POST | /backups | ''",
            "POST | /backups/00000000-0000-0000-0000-000000000000/action | text/plain",
            "DELETE | /backups/00000000-0000-0000-0000-000000000000 | text/plain",
            "PUT | /backups/00000000-0000-0000-0000-000000000000 | application/x-www-form-urlencoded",
    })
    void unsupportedContentTypesAre415(String method, String path, String type) {
        Api.Resp r = api.raw(method, "/v3/" + api.project + path, "{\"backup\": {}}".getBytes(),
                Map.of("X-Auth-Token", api.user + ":" + api.project, "Content-Type", type,
                        "OpenStack-API-Version", "volume 3.5"));
        assertEquals(415, r.status(), r.text());
        assertEquals("Unsupported Content-Type", message(r, "badMediaType"));
        assertEquals("volume 3.5", r.header("OpenStack-API-Version"));
    }

    @Test
    void jsonContentTypesAreRead() {
        for (String type : List.of("application/json; charset=utf-8", "application/vnd.openstack.volume+json")) {
            Api.Resp r = api.raw("POST", "/v3/" + api.project + "/backups",
                    "{\"backup\": {\"volume_id\": \"00000000-0000-0000-0000-000000000000\"}}".getBytes(),
                    Map.of("X-Auth-Token", api.user + ":" + api.project, "Content-Type", type));
            assertEquals(404, r.status(), r.text());
            assertEquals("Volume 00000000-0000-0000-0000-000000000000 could not be found.", message(r, "itemNotFound"));
        }
    }

    @Test
    void aBodyWithoutContentTypeIs415() {
        // Under eventlet a missing Content-Type reaches cinder as text/plain (the differential
        // run against cinder-api 21.3.1 shows 415 for it).
        for (String path : List.of("/backups", "/backups/" + uuid() + "/action")) {
            Api.Resp r = api.raw("POST", "/v3/" + api.project + path,
                    "{\"os-force_delete\": {}}".getBytes(), Map.of("X-Auth-Token", api.user + ":" + api.project));
            assertEquals(415, r.status(), r.text());
            assertEquals("Unsupported Content-Type", message(r, "badMediaType"));
        }
        // Without a body there is nothing to read: the usual empty-body answer.
        Api.Resp empty = api.raw("POST", "/v3/" + api.project + "/backups/" + uuid() + "/action", null,
                Map.of("X-Auth-Token", api.user + ":" + api.project));
        assertEquals("There is no such action: None. Verify the request body and Content-Type header and try again.",
                message(empty, "badRequest"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'' | 400 | There is no such action: None. Verify the request body and Content-Type header and try again.",
            "{} | 400 | Malformed request body",
            "'{\"a\": 1, \"b\": 2}' | 400 | Malformed request body",
            "not json | 400 | Malformed request body",
            "[] | 400 | Malformed request body",
            "[1] | 404 | The resource could not be found.",
            "'\"x\"' | 404 | The resource could not be found.",
            "5 | 404 | The resource could not be found.",
            "null | 404 | The resource could not be found.",
            "'{\"os-reset_status\": null}' | 400 | Invalid input for field/attribute os-reset_status. Value: None. None is not of type 'object'",
            "'{\"os-reset_status\": {}}' | 400 | Invalid input for field/attribute os-reset_status. Value: {}. 'status' is a required property",
    })
    void actionBodiesLikeCinder(String body, int status, String msg) {
        Api.Resp r = api.post("/backups/" + uuid() + "/action", body.isEmpty() ? null : body);
        assertEquals(status, r.status(), r.text());
        assertEquals(msg, message(r, status == 404 ? "itemNotFound" : "badRequest"));
    }

    @Test
    void routesWithoutProjectId() {
        Api.Resp r = api.call("GET", api.base + "/v3/backups", null, "3.67");
        assertEquals(200, r.status(), r.text());
    }

    private static String uuid() {
        return java.util.UUID.randomUUID().toString();
    }
}
