package dev.ember.backup;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.ember.ceph.CephCluster;
import dev.ember.ceph.Pool;
import dev.ember.config.Config;
import dev.ember.keymgr.BarbicanKeyManager;
import dev.ember.keymgr.ConfKeyManager;
import dev.ember.testing.Api;
import dev.ember.testing.EmberServer;
import dev.ember.testing.LocalCeph;
import dev.ember.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup keeps the volume's metadata and a copy of its encryption key, as cinder's does, so a
 * restore after the volume is gone brings back the user metadata, the volume type, bootable, the
 * glance metadata and a usable key; backups whose metadata cinder wrote restore the same way; a
 * backup's delete deletes its key. Both drivers, cinder's ConfKeyManager and Barbican (WireMock).
 */
class KeysAndVolumeMetadataTest {

    static final String FIXED_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    static final String TYPE = "9d2f7c1e-0000-4000-8000-0000000000aa";

    private static Config base(Path state, String tag) {
        return EmberServer.baseConfig(state)
                .with("DEFAULT", "host", tag + "-" + UUID.randomUUID().toString().substring(0, 8))
                .with("key_manager", "backend", "cinder.keymgr.conf_key_mgr.ConfKeyManager")
                .with("key_manager", "fixed_key", FIXED_KEY);
    }

    // ------------------------------------------------------------------ posix ---

    @Test
    void posixConfKeyManagerRoundTripAfterTheVolumeIsDeleted() throws Exception {
        EmberServer.shared();
        Path state = Files.createTempDirectory("ember-keys");
        EmberServer server = EmberServer.start(base(state, "keys-posix"));
        try {
            Api api = server.api.newProject();
            Scenario s = roundTrip(api, ConfKeyManager.KEY_ID, Layout.posix(state));
            // cinder's ConfKeyManager: the one fixed key; a clone of it is itself.
            assertEquals(ConfKeyManager.KEY_ID, s.backupKey);
            assertEquals(ConfKeyManager.KEY_ID, s.restoredKey);
        } finally {
            server.ember.close();
        }
    }

    @Test
    void posixBarbicanClonesOnBackupAndRestoreAndDeletesWithTheBackup() throws Exception {
        EmberServer.shared();
        WireMockServer barbican = barbican();
        Path state = Files.createTempDirectory("ember-keys-barbican");
        EmberServer server = EmberServer.start(base(state, "keys-barbican"));
        try {
            server.ember.manager().setKeyManager(new BarbicanKeyManager("http://127.0.0.1:" + barbican.port(), "v1",
                    () -> "service-token"));
            String original = UUID.randomUUID().toString();
            Api api = server.api.newProject();
            Scenario s = roundTrip(api, original, Layout.posix(state));
            assertNotEquals(original, s.backupKey, "the backup has its own copy of the key");
            assertNotEquals(original, s.restoredKey);
            assertNotEquals(s.backupKey, s.restoredKey, "every restored volume gets its own clone");
            // The clone read the original's payload and stored it again, with Ember's service token.
            List<LoggedRequest> posts = barbican.findAll(postRequestedFor(urlEqualTo("/v1/secrets")));
            assertEquals(2, posts.size());
            for (LoggedRequest p : posts) {
                assertEquals("service-token", p.getHeader("X-Auth-Token"));
                JsonObject body = new JsonObject(p.getBodyAsString());
                assertEquals("c2VjcmV0LWtleS1ieXRlcy0zMi1ieXRlcy1sb25nIQ==", body.getString("payload"));
                assertEquals("base64", body.getString("payload_content_encoding"));
                assertEquals("AES", body.getString("algorithm"));
                assertEquals(256, body.getInteger("bit_length"));
            }
            // Deleting the backup deletes its key, not the restored volume's.
            assertEquals(202, api.delete("/backups/" + s.backupId).status());
            api.awaitBackup(s.backupId, b -> b == null);
            barbican.verify(1, deleteRequestedFor(urlEqualTo("/v1/secrets/" + s.backupKey)));
            barbican.verify(0, deleteRequestedFor(urlEqualTo("/v1/secrets/" + s.restoredKey)));
        } finally {
            server.ember.close();
            barbican.stop();
        }
    }

    @Test
    void posixBackupOfCindersVolumeMetaRestoresUnderCindersRules() throws Exception {
        EmberServer.shared();
        Path state = Files.createTempDirectory("ember-keys-cinder");
        EmberServer server = EmberServer.start(base(state, "keys-cinder"));
        try {
            Api api = server.api.newProject();
            Layout layout = Layout.posix(state);
            restoreCinderWritten(api, layout);
        } finally {
            server.ember.close();
        }
    }

    // -------------------------------------------------------------------- rbd ---

    @Test
    void rbdConfKeyManagerRoundTripAndCindersMetaObject() throws Exception {
        Path conf = LocalCeph.conf();
        EmberServer.shared();
        Path state = Files.createTempDirectory("ember-keys-rbd");
        EmberServer server = EmberServer.start(EmberServer.withCeph(base(state, "keys-rbd"), conf));
        try (CephCluster cluster = CephCluster.connect(conf, "cinder"); Pool pool = cluster.openPool("backups")) {
            Api api = server.api.newProject();
            Layout layout = Layout.rbd(pool);
            Scenario s = roundTrip(api, ConfKeyManager.KEY_ID, layout);
            assertEquals(ConfKeyManager.KEY_ID, s.restoredKey);
            restoreCinderWritten(api, layout);
        } finally {
            server.ember.close();
        }
    }

    // --------------------------------------------------------------- scenario ---

    /** Where a driver keeps a backup's volume metadata, to read and to replace it. */
    interface Layout {
        String read(String backupId) throws Exception;

        void replace(String backupId, String volumeMetaJson) throws Exception;

        static Layout posix(Path state) {
            return new Layout() {
                Path file(String backupId) throws Exception {
                    try (Stream<Path> all = Files.walk(state.resolve("backup"))) {
                        return all.filter(p -> p.getFileName().toString().endsWith("_backup_" + backupId + "_metadata"))
                                .findFirst().orElseThrow(() -> new AssertionError("no _metadata of " + backupId));
                    }
                }

                @Override
                public String read(String backupId) throws Exception {
                    JsonObject md = new JsonObject(Files.readString(file(backupId)));
                    return md.getString("volume_meta");
                }

                @Override
                public void replace(String backupId, String json) throws Exception {
                    Path f = file(backupId);
                    JsonObject md = new JsonObject(Files.readString(f));
                    md.put("volume_meta", json);
                    Files.writeString(f, md.encodePrettily());
                }
            };
        }

        static Layout rbd(Pool pool) {
            return new Layout() {
                @Override
                public String read(String backupId) throws Exception {
                    return new String(pool.readObject("backup." + backupId + ".meta"), StandardCharsets.UTF_8);
                }

                @Override
                public void replace(String backupId, String json) throws Exception {
                    pool.writeObject("backup." + backupId + ".meta", json.getBytes(StandardCharsets.UTF_8));
                }
            };
        }
    }

    record Scenario(String backupId, String backupKey, String restoredVolume, String restoredKey) {
    }

    static Scenario roundTrip(Api api, String volumeKey, Layout layout) throws Exception {
        // cinder create --metadata purpose=db tier=gold
        Api.Resp created = api.post("/volumes", "{\"volume\": {\"size\": 1, \"name\": \"src\", "
                + "\"metadata\": {\"purpose\": \"db\", \"tier\": \"gold\"}}}");
        assertEquals(202, created.status(), created.text());
        String vol = created.json().getJsonObject("volume").getString("id");
        assertEquals(Map.of("purpose", "db", "tier", "gold"),
                created.json().getJsonObject("volume").getJsonObject("metadata").getMap());
        api.awaitVolumeStatus(vol, "available");
        // What cinder-volume would have set: an encrypted type, bootable from an image. The type
        // exists, as in a cloud (a restore onto an untyped volume takes the source's type only if
        // it still exists: cinder's _restore_vol_encryption_meta).
        TestDatabase.execute("INSERT IGNORE INTO volume_types (created_at, updated_at, deleted, id, name, is_public, "
                + "description) VALUES (NOW(), NOW(), 0, ?, 'luks', 1, 'encrypted')", TYPE);
        TestDatabase.execute("UPDATE volumes SET bootable = 1, volume_type_id = ?, encryption_key_id = ? WHERE id = ?",
                TYPE, volumeKey, vol);
        for (String[] kv : new String[][] {{"image_id", "4e1f0b4c-1111-4222-8333-944445555666"}, {"image_name", "cirros"}}) {
            TestDatabase.execute("INSERT INTO volume_glance_metadata (created_at, deleted, volume_id, `key`, `value`) "
                    + "VALUES (NOW(), 0, ?, ?, ?)", vol, kv[0], kv[1]);
        }

        String backup = api.createBackup(vol, false);
        JsonObject b = api.awaitBackup(backup, x -> x != null && !"creating".equals(x.getString("status")));
        assertEquals("available", b.getString("status"), b.getString("fail_reason"));
        String backupKey = TestDatabase.queryString("SELECT encryption_key_id FROM backups WHERE id = ?", backup);
        assertNotNull(backupKey, "backups.encryption_key_id is the clone of the volume's key");
        // cinder's 3.64 backup view shows the key id, except the ConfKeyManager's fixed one.
        JsonObject shown = api.call("GET", "/backups/" + backup, null, "3.64").json().getJsonObject("backup");
        assertEquals(ConfKeyManager.KEY_ID.equals(backupKey) ? null : backupKey, shown.getString("encryption_key_id"));

        // cinder's BackupMetadataAPI JSON, as json.dumps writes it.
        String meta = layout.read(backup);
        assertNotNull(meta, "the backup keeps the volume's metadata");
        assertTrue(meta.startsWith("{\"version\": 2, \"volume-base-metadata\": {\"created_at\": \""), meta);
        assertTrue(meta.matches(".*\"created_at\": \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\", .*"), meta);
        JsonObject parsed = new JsonObject(meta);
        JsonObject baseMeta = parsed.getJsonObject("volume-base-metadata");
        assertEquals(vol, baseMeta.getString("id"));
        assertEquals("src", baseMeta.getString("display_name"));
        assertEquals(true, baseMeta.getBoolean("bootable"));
        assertEquals(false, baseMeta.getBoolean("deleted"));
        assertEquals(1, baseMeta.getInteger("size"));
        assertEquals(volumeKey, baseMeta.getString("encryption_key_id"));
        assertEquals(TYPE, baseMeta.getString("volume_type_id"));
        assertTrue(baseMeta.containsKey("_name_id") && baseMeta.getValue("_name_id") == null);
        assertEquals(Map.of("purpose", "db", "tier", "gold"), parsed.getJsonObject("volume-metadata").getMap());
        assertEquals(Map.of("image_id", "4e1f0b4c-1111-4222-8333-944445555666", "image_name", "cirros"),
                parsed.getJsonObject("volume-glance-metadata").getMap());

        // The volume goes; the backup stays readable.
        api.awaitVolumeStatus(vol, "available");
        assertEquals(202, api.delete("/volumes/" + vol).status());
        awaitGone(api, vol);

        String restored = restoreToNew(api, backup);
        JsonObject v = api.volume(restored);
        assertEquals("true", v.getString("bootable"));
        assertEquals(true, v.getBoolean("encrypted"));
        JsonObject md = api.get("/volumes/" + restored + "/metadata").json().getJsonObject("metadata");
        assertEquals(Map.of("purpose", "db", "tier", "gold", "src_backup_id", backup), md.getMap());
        // display_name: the new volume was restore_backup_<id>, so the backup's name comes back.
        assertEquals("src", v.getString("name"));
        assertEquals(TYPE, TestDatabase.queryString("SELECT volume_type_id FROM volumes WHERE id = ?", restored));
        assertEquals("cirros", TestDatabase.queryString("SELECT `value` FROM volume_glance_metadata WHERE volume_id = ? "
                + "AND `key` = 'image_name' AND deleted = 0", restored));
        String restoredKey = TestDatabase.queryString("SELECT encryption_key_id FROM volumes WHERE id = ?", restored);
        assertNotNull(restoredKey);
        return new Scenario(backup, backupKey, restored, restoredKey);
    }

    /** A backup whose stored metadata cinder wrote (its documented version-2 JSON). */
    static void restoreCinderWritten(Api api, Layout layout) throws Exception {
        Api.Resp created = api.post("/volumes", "{\"volume\": {\"size\": 1, \"name\": \"keep-me\"}}");
        assertEquals(202, created.status(), created.text());
        String vol = created.json().getJsonObject("volume").getString("id");
        api.awaitVolumeStatus(vol, "available");
        String backup = api.createBackup(vol, false);
        assertEquals("available", api.awaitBackup(backup, x -> x != null && !"creating".equals(x.getString("status")))
                .getString("status"));
        String cinderJson = new String(KeysAndVolumeMetadataTest.class.getResourceAsStream("/cinder/volume_meta_v2.json")
                .readAllBytes(), StandardCharsets.UTF_8).strip()
                .replace("KEY_ID", ConfKeyManager.KEY_ID).replace("TYPE_ID", TYPE);
        layout.replace(backup, cinderJson);
        // A backup from before backups.encryption_key_id: the restored id is adopted, then cloned.
        assertNull(TestDatabase.queryString("SELECT encryption_key_id FROM backups WHERE id = ?", backup));

        String restored = restoreToNew(api, backup);
        JsonObject v = api.volume(restored);
        assertEquals("cinder-vol", v.getString("name"));
        assertEquals("written by cinder-backup", v.getString("description"));
        assertEquals("true", v.getString("bootable"));
        JsonObject md = api.get("/volumes/" + restored + "/metadata").json().getJsonObject("metadata");
        assertEquals(Map.of("written-by", "cinder", "purpose", "interop", "src_backup_id", backup), md.getMap());
        assertEquals(TYPE, TestDatabase.queryString("SELECT volume_type_id FROM volumes WHERE id = ?", restored));
        assertEquals("cirros-0.6.1", TestDatabase.queryString("SELECT `value` FROM volume_glance_metadata "
                + "WHERE volume_id = ? AND `key` = 'image_name' AND deleted = 0", restored));
        assertEquals(ConfKeyManager.KEY_ID, TestDatabase.queryString(
                "SELECT encryption_key_id FROM volumes WHERE id = ?", restored));
        assertEquals(ConfKeyManager.KEY_ID, TestDatabase.queryString(
                "SELECT encryption_key_id FROM backups WHERE id = ?", backup));

        // Onto the original (named, not restore_backup_*) volume: its name stays, the rest comes back.
        Api.Resp r = api.post("/backups/" + backup + "/restore", "{\"restore\": {\"volume_id\": \"" + vol + "\"}}");
        assertEquals(202, r.status(), r.text());
        api.awaitBackupStatus(backup, "available");
        JsonObject again = api.awaitVolumeStatus(vol, "available");
        assertEquals("keep-me", again.getString("name"));
        // An encrypted backup onto a volume of another type: cinder's EncryptedBackupOperationFailed.
        String other = api.createVolume(1);
        api.awaitVolumeStatus(other, "available");
        TestDatabase.execute("UPDATE volumes SET volume_type_id = ? WHERE id = ?", UUID.randomUUID().toString(), other);
        Api.Resp mismatch = api.post("/backups/" + backup + "/restore",
                "{\"restore\": {\"volume_id\": \"" + other + "\"}}");
        assertEquals(202, mismatch.status(), mismatch.text());
        api.awaitBackupStatus(backup, "available");
        api.awaitVolumeStatus(other, "error_restoring");
        assertNull(TestDatabase.queryString("SELECT encryption_key_id FROM volumes WHERE id = ?", other));
        // The backup's user metadata replaced the volume's; its own backup sets no src_backup_id.
        assertEquals(Map.of("written-by", "cinder", "purpose", "interop"),
                api.get("/volumes/" + vol + "/metadata").json().getJsonObject("metadata").getMap());
        assertEquals("true", again.getString("bootable"));
    }

    static String restoreToNew(Api api, String backup) {
        Api.Resp r = api.post("/backups/" + backup + "/restore", "{\"restore\": {}}");
        assertEquals(202, r.status(), r.text());
        String restored = r.json().getJsonObject("restore").getString("volume_id");
        api.awaitBackupStatus(backup, "available");
        JsonObject v = api.awaitVolumeStatus(restored, "available");
        assertEquals("available", v.getString("status"));
        return restored;
    }

    static void awaitGone(Api api, String vol) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (api.get("/volumes/" + vol).status() != 404) {
            assertTrue(System.nanoTime() < end, "volume " + vol + " was not deleted");
            Thread.sleep(50);
        }
    }

    /** Barbican's secrets API: any secret reads as one AES-256 key; a store answers a new secret_ref. */
    static WireMockServer barbican() {
        WireMockServer w = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        w.start();
        w.stubFor(get(urlPathMatching("/v1/secrets/[0-9a-f-]+")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"algorithm\": \"AES\", \"bit_length\": 256, \"secret_type\": \"symmetric\", "
                        + "\"status\": \"ACTIVE\", \"content_types\": {\"default\": \"application/octet-stream\"}}")));
        w.stubFor(get(urlPathMatching("/v1/secrets/[0-9a-f-]+/payload")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream")
                .withBody("secret-key-bytes-32-bytes-long!".getBytes(StandardCharsets.UTF_8))));
        w.stubFor(post(urlEqualTo("/v1/secrets")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"secret_ref\": \"http://127.0.0.1:" + w.port()
                        + "/v1/secrets/{{randomValue type='UUID'}}\"}")
                .withTransformers("response-template")));
        w.stubFor(any(urlPathMatching("/v1/secrets/[0-9a-f-]+")).atPriority(10).willReturn(aResponse().withStatus(204)));
        return w;
    }
}
