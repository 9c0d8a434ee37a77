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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "           | 200 | volume 3.0",
            "volume 3.0 | 200 | volume 3.0",
            "volume 3.64| 200 | volume 3.64",
            "volume latest | 200 | volume 3.70",
            "compute 2.1, volume 3.50 | 200 | volume 3.50",
            "compute 2.1 | 200 | volume 3.0",
    })
    void microversionNegotiation(String header, int status, String echoed) {
        Api.Resp r = api.call("GET", "/backups", null, header == null ? null : header);
        assertEquals(status, r.status(), r.text());
        assertEquals(echoed, r.header("OpenStack-API-Version"));
        assertEquals("OpenStack-API-Version", r.header("Vary"));
    }

    @Test
    void unsupportedAndMalformedVersions() {
        Api.Resp high = api.call("GET", "/backups", null, "3.99");
        assertEquals(406, high.status());
        assertEquals("Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
                message(high, "computeFault"));
        Api.Resp low = api.call("GET", "/backups", null, "2.0");
        assertEquals(406, low.status());
        Api.Resp bad = api.call("GET", "/backups", null, "3.x");
        assertEquals(400, bad.status());
        assertEquals("API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.",
                message(bad, "badRequest"));
        Api.Resp huge = api.call("GET", "/backups", null, "3.99999999999999999999");
        assertEquals(406, huge.status());
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
        assertEquals("Invalid input for field/attribute volume_id. Value: '../../etc'. '../../etc' is not a 'uuid'",
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
        assertNotNull(huge.json().getJsonObject("overLimit"));
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
        assertTrue(next.contains("marker=" + items.getJsonObject(1).getString("id")), next);
        assertTrue(next.startsWith(api.base + "/v3/" + api.project + "/backups?"), next);
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
        // Another project sees none of them.
        assertEquals(0, api.newProject().get("/backups").json().getJsonArray("backups").size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit=-1 | 400 | limit param must be positive",
            "limit=abc | 400 | limit param must be an integer",
            "offset=-5 | 400 | offset param must be positive",
            "sort_key=bogus | 400 | Invalid input received: Invalid sort key",
            "sort=id:sideways | 400 | Invalid input received: Unknown sort direction, must be 'desc' or 'asc'",
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
        Api.Resp route = api.get("/nothing-here");
        assertEquals(404, route.status());
        assertEquals("The resource could not be found.", message(route, "itemNotFound"));
        Api.Resp method = api.call("PATCH", "/backups", "{}");
        assertEquals(405, method.status());
        assertNotNull(method.json().getJsonObject("badMethod"));
        Api.Resp badProject = api.call("GET", api.base + "/v3/NOT_A_PROJECT/backups", null);
        assertEquals(404, badProject.status());
        Api.Resp otherProject = api.call("GET", api.base + "/v3/abcdef/backups", null);
        assertEquals(400, otherProject.status());
        assertEquals("Malformed request url", message(otherProject, "badRequest"));
        Api.Resp noAction = api.post("/backups/" + uuid() + "/action", "{\"os-explode\": {}}");
        assertEquals(400, noAction.status());
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
