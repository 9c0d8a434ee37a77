package dev.ember.api;

import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded volume API keeps user metadata as cinder's does: {@code cinder create --metadata},
 * {@code cinder metadata <vol> set|unset}, {@code cinder metadata-show}, {@code metadata-update-all}
 * (cinder/api/v2/volume_metadata.py: bodies, 200s, 400s and 404s).
 */
class VolumeMetadataApiTest {

    @Test
    void metadataRoutesAnswerAsCinders() throws Exception {
        Api api = EmberServer.shared().api.newProject();
        Api.Resp created = api.post("/volumes", "{\"volume\": {\"size\": 1, \"metadata\": {\"k\": \"v\"}}}");
        assertEquals(202, created.status(), created.text());
        String vol = created.json().getJsonObject("volume").getString("id");
        String base = "/volumes/" + vol + "/metadata";

        Api.Resp index = api.get(base);
        assertEquals(200, index.status());
        assertEquals(Map.of("k", "v"), index.json().getJsonObject("metadata").getMap());

        // cinder metadata <vol> set a=1: POST merges and answers the whole set.
        Api.Resp set = api.post(base, "{\"metadata\": {\"a\": \"1\"}}");
        assertEquals(200, set.status(), set.text());
        assertEquals(Map.of("k", "v", "a", "1"), set.json().getJsonObject("metadata").getMap());

        // PUT of one item: body and URI must name the same single key.
        Api.Resp one = api.put(base + "/a", "{\"meta\": {\"a\": \"2\"}}");
        assertEquals(200, one.status(), one.text());
        assertEquals(Map.of("a", "2"), one.json().getJsonObject("meta").getMap());
        Api.Resp mismatch = api.put(base + "/a", "{\"meta\": {\"b\": \"2\"}}");
        assertEquals(400, mismatch.status());
        assertTrue(mismatch.text().contains("Request body and URI mismatch"), mismatch.text());
        assertEquals(400, api.put(base + "/a", "{\"meta\": {\"a\": \"2\", \"b\": \"3\"}}").status());
        assertEquals(400, api.post(base, "{\"metadata\": {\"a\": 1}}").status());
        assertEquals(400, api.post(base, "{\"meta\": {\"a\": \"1\"}}").status());

        Api.Resp show = api.get(base + "/a");
        assertEquals(200, show.status());
        assertEquals(Map.of("a", "2"), show.json().getJsonObject("meta").getMap());
        Api.Resp missing = api.get(base + "/nope");
        assertEquals(404, missing.status());
        assertTrue(missing.text().contains("has no metadata with key nope"), missing.text());

        // metadata-update-all: PUT of the set replaces it.
        Api.Resp all = api.put(base, "{\"metadata\": {\"x\": \"y\"}}");
        assertEquals(200, all.status(), all.text());
        assertEquals(Map.of("x", "y"), all.json().getJsonObject("metadata").getMap());

        // cinder metadata <vol> unset x: DELETE answers 200 with no body; again: 404.
        Api.Resp del = api.delete(base + "/x");
        assertEquals(200, del.status());
        assertEquals(404, api.delete(base + "/x").status());
        assertEquals(Map.of(), api.get(base).json().getJsonObject("metadata").getMap());
        assertEquals(Map.of(), api.volume(vol).getJsonObject("metadata").getMap());

        // An unknown volume is not found.
        assertEquals(404, api.get("/volumes/" + java.util.UUID.randomUUID() + "/metadata").status());
    }
}
