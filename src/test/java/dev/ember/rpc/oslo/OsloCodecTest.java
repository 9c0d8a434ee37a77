package dev.ember.rpc.oslo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.error.CinderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OsloCodecTest {

    @Test
    void everyCaptureParsesAndRoundTrips() {
        List<Path> all = Captures.all();
        assertTrue(all.size() >= 10, "captures present");
        for (Path p : all) {
            JsonNode cap = Captures.load(p);
            RpcRequest req = OsloCodec.decodeRequest(Captures.body(cap));
            JsonNode decoded = cap.get("oslo_message_decoded");
            assertEquals(decoded.get("method").asText(), req.method(), p.toString());
            assertEquals(decoded.get("version").asText(), req.version(), p.toString());
            assertEquals(decoded.get("_unique_id").asText(), req.uniqueId());
            assertEquals(decoded.has("_msg_id"), req.isCall(), p.toString());
            assertNull(req.namespace());
            // Writing the decoded request gives the same dict (object key order aside).
            byte[] again = OsloCodec.encode(req);
            JsonNode env = Captures.tree(again);
            assertEquals("2.0", env.get("oslo.version").asText());
            assertEquals(decoded, Captures.tree(env.get("oslo.message").asText().getBytes(StandardCharsets.UTF_8)),
                    p.toString());
            // ... and in the same key order as oslo writes it.
            assertEquals(List.copyOf(fieldNames(Captures.inner(cap))),
                    List.copyOf(fieldNames(Captures.tree(env.get("oslo.message").asText()
                            .getBytes(StandardCharsets.UTF_8)))), p.toString());
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void callCarriesReplyQueueAndContext() {
        RpcRequest req = OsloCodec.decodeRequest(Captures.body(Captures.load("rpc-initialize_connection.json")));
        assertTrue(req.isCall());
        assertEquals("9a238fd21ba14d469a7562e531a60103", req.msgId());
        assertEquals("reply_2974d9a66d11447996333fc68a62a0e6", req.replyQueue());
        assertNull(req.callMonitorTimeout());
        assertEquals("0f1e2d3c4b5a69788796a5b4c3d2e1f0", req.context().userId());
        assertEquals("7e1e5a0d9b2c4f7e8a6b5c4d3e2f1a0b", req.context().projectId());
        assertEquals("req-3c8251be-21f0-4ae8-b063-929f5a01dbc8", req.context().requestId());
        assertTrue(req.context().isAdmin());
        assertEquals(List.of("admin"), req.context().roles());
        VolumeObject vol = VolumeObject.fromPrimitive((VersionedObject) req.args().get("volume"));
        assertEquals("d78340ff-506b-4d87-b8c2-feb60c25597c", vol.id());
        assertEquals("peer@ceph#ceph", vol.host());
        assertInstanceOf(Map.class, req.args().get("connector"));
    }

    @Test
    void replyParsesAndRoundTrips() {
        JsonNode reply = Captures.load("rpc-initialize_connection.json").get("reply");
        byte[] body = Captures.body(reply);
        RpcReply r = OsloCodec.decodeReply(body);
        assertEquals("9a238fd21ba14d469a7562e531a60103", r.msgId());
        assertTrue(r.ending());
        assertFalse(r.failed());
        assertEquals("rbd", ((Map<?, ?>) r.result()).get("driver_volume_type"));
        JsonNode again = Captures.tree(OsloCodec.encode(r));
        assertEquals(reply.get("oslo_message_decoded"),
                Captures.tree(again.get("oslo.message").asText().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void unenvelopedDictIsAccepted() {
        byte[] raw = "{\"method\": \"delete_backup\", \"args\": {\"backup\": \"b1\"}, \"version\": \"2.0\", \"_unique_id\": \"u\"}"
                .getBytes(StandardCharsets.UTF_8);
        RpcRequest r = OsloCodec.decodeRequest(raw);
        assertEquals("delete_backup", r.method());
        assertEquals("b1", BackupDispatcher.backupId(r.args()));
        assertThrows(OsloProtocolException.class,
                () -> OsloCodec.unwrap("{\"oslo.version\": \"3.0\", \"oslo.message\": \"{}\"}".getBytes()));
        assertThrows(OsloProtocolException.class, () -> OsloCodec.unwrap("not json".getBytes()));
    }

    @Test
    void backupPrimitiveReadsAndWritesLikeCinder() {
        for (String f : List.of("rpc-create_backup.json", "rpc-create_backup-incremental.json",
                "rpc-delete_backup.json", "rpc-restore_backup.json", "rpc-continue_backup.json",
                "rpc-get_backup_device.json", "rpc-create_backup-api-to-scheduler.json")) {
            JsonNode cap = Captures.load(f);
            RpcRequest req = OsloCodec.decodeRequest(Captures.body(cap));
            BackupObject b = BackupDispatcher.backup(req.args());
            JsonNode expected = cap.get("oslo_message_decoded").get("args").get("backup");
            assertEquals(expected.get("versioned_object.data").get("id").asText(), b.id(), f);
            // Writing gives exactly cinder's primitive (the captures carry every field).
            assertEquals(expected, Captures.tree(OsloJson.write(b.toPrimitive()).getBytes(StandardCharsets.UTF_8)), f);
        }
        BackupObject inc = BackupDispatcher.backup(OsloCodec.decodeRequest(
                Captures.body(Captures.load("rpc-create_backup-incremental.json"))).args());
        assertEquals("peer", inc.host());
        assertEquals("creating", inc.status());
        assertEquals("36241ada-a4e0-4a92-a2e3-f82b25a49223", inc.parentId());
        assertEquals("available", inc.parent().status());
        assertEquals(LocalDateTime.of(2026, 11, 23, 12, 16, 58), inc.createdAt());
        BackupObject restore = BackupDispatcher.backup(OsloCodec.decodeRequest(
                Captures.body(Captures.load("rpc-restore_backup.json"))).args());
        assertFalse(restore.parentLoaded());
        assertEquals("restoring", restore.status());
        assertEquals(Map.of(), restore.metadata());
    }

    @Test
    void newerBackupVersionIsRefused() {
        VersionedObject o = new VersionedObject("Backup", "cinder", "1.8", Map.of("id", "x"), null);
        assertThrows(VersionedObject.IncompatibleObjectVersionException.class, () -> BackupObject.fromPrimitive(o));
        VersionedObject old = new VersionedObject("Backup", "cinder", "1.4", Map.of("id", "x"), null);
        assertEquals("x", BackupObject.fromPrimitive(old).id());
        assertThrows(OsloProtocolException.class,
                () -> BackupObject.fromPrimitive(new VersionedObject("Volume", "cinder", "1.9", Map.of("id", "x"), null)));
    }

    @Test
    void backupDeviceInfoFromContinueBackup() {
        RpcRequest req = OsloCodec.decodeRequest(Captures.body(Captures.load("rpc-continue_backup.json")));
        VersionedObject raw = (VersionedObject) req.args().get("backup_device");
        assertEquals(List.of("volume", "secure_enabled"), raw.changes());
        BackupDeviceInfo dev = BackupDeviceInfo.fromPrimitive(raw);
        assertFalse(dev.isSnapshot());
        assertFalse(dev.secureEnabled());
        assertEquals("d78340ff-506b-4d87-b8c2-feb60c25597c", dev.volume().id());
        assertEquals("backing-up", dev.volume().status());
        assertEquals(1, dev.volume().size());
        VersionedObject type = (VersionedObject) dev.volume().source().get("volume_type");
        assertEquals("VolumeType", type.name());
        assertEquals("1.3", type.version());
    }

    @Test
    void capabilitiesFanoutAndNonObjectArgs() {
        RpcRequest req = OsloCodec.decodeRequest(Captures.body(
                Captures.load("rpc-update_service_capabilities-scheduler-fanout.json")));
        assertEquals("backup", req.args().get("service_name"));
        assertEquals(Boolean.TRUE, ((Map<?, ?>) req.args().get("capabilities")).get("backend_state"));
        assertNull(req.args().get("cluster_name"));
        assertTrue(req.args().containsKey("cluster_name"));
        RpcRequest pub = OsloCodec.decodeRequest(Captures.body(
                Captures.load("rpc-publish_service_capabilities-backup-fanout.json")));
        assertEquals(Map.of(), pub.args());
        assertNull(pub.context().userId());
    }

    @Test
    void writtenBackupPrimitiveHasEveryField() {
        BackupObject b = new BackupObject("b1", "u", "p", "v1", "h", "nova", "backups", null, null, true,
                "creating", null, 1, "n", null, null, "svc", 0, null, null, 0, null,
                LocalDateTime.of(2024, 5, 1, 10, 0, 0), null, Map.of("k", "v"), null,
                LocalDateTime.of(2024, 5, 1, 10, 0), null, null, false, null);
        VersionedObject p = b.toPrimitive();
        assertEquals("1.7", p.version());
        assertEquals("cinder", p.namespace());
        assertNull(p.changes());
        assertEquals(29, p.data().size());
        assertEquals("2024-05-01T10:00:00Z", p.get("data_timestamp"));
        assertEquals("2024-05-01T10:00:00Z", OvoTime.format(LocalDateTime.of(2024, 5, 1, 10, 0, 0, 123456789)));
        assertEquals(LocalDateTime.of(2024, 5, 1, 8, 0, 0, 500000000), OvoTime.parse("2024-05-01T10:00:00.5+02:00"));
        assertEquals(LocalDateTime.of(2024, 5, 1, 10, 0), OvoTime.parse("2024-05-01 10:00:00"));
        assertEquals(0L, ((Number) p.get("object_count")).longValue());
        assertTrue(p.data().containsKey("parent"));
        JsonNode n = OsloJson.toNode(p);
        assertEquals(b, BackupObject.fromPrimitive((VersionedObject) OsloJson.parse(n.toString()))
                .withSource(null));
    }

    @Test
    void failureJsonRoundTripAndMapping() {
        RemoteFailure f = CinderFailures.toFailure(CinderException.invalidBackup("status must be available"));
        assertEquals("InvalidBackup", f.className());
        assertEquals("cinder.exception", f.module());
        assertEquals("Invalid backup: status must be available", f.message());
        RpcReply reply = RpcReply.failure("m1", f);
        RpcReply back = OsloCodec.decodeReply(OsloCodec.encode(reply));
        assertEquals(f, back.failure());
        // The failure travels as a JSON string, as oslo's serialize_remote_exception writes it.
        JsonNode inner = Captures.tree(Captures.tree(OsloCodec.encode(reply)).get("oslo.message").asText()
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(inner.get("failure").isTextual());
        assertTrue(inner.get("result").isNull());
        assertTrue(inner.get("ending").asBoolean());

        RuntimeException e = CinderFailures.toException(back.failure());
        CinderException ce = assertInstanceOf(CinderException.class, e);
        assertEquals(CinderException.Kind.BAD_REQUEST, ce.kind());
        assertEquals("Invalid backup: status must be available", ce.getMessage());

        assertEquals("BackupNotFound", CinderFailures.toFailure(CinderException.backupNotFound("x")).className());
        assertEquals("VolumeNotFound", CinderFailures.toFailure(CinderException.volumeNotFound("x")).className());
        assertEquals("NotSupportedOperation",
                CinderFailures.toFailure(CinderException.notSupported("x")).className());
        assertEquals("InvalidInput", CinderFailures.toFailure(CinderException.invalidInput("x")).className());
        RemoteFailure quota = CinderFailures.toFailure(CinderException.overLimit("BackupLimitExceeded", "too many"));
        assertEquals("BackupLimitExceeded", quota.className());
        assertEquals("too many", quota.message());
        CinderException q = (CinderException) CinderFailures.toException(quota);
        assertEquals(CinderException.Kind.OVER_LIMIT, q.kind());
        assertEquals("BackupLimitExceeded: too many", q.getMessage());
        assertEquals(CinderException.Kind.NOT_FOUND, ((CinderException) CinderFailures.toException(
                RemoteFailure.cinder("BackupNotFound", "Backup x could not be found."))).kind());

        RemoteRpcException other = assertInstanceOf(RemoteRpcException.class,
                CinderFailures.toException(RemoteFailure.noSuchMethod("nope")));
        assertEquals("NoSuchMethod", other.exceptionClass());
        assertEquals("IllegalStateException", CinderFailures.toFailure(new IllegalStateException("boom")).className());
    }

    @Test
    void pythonFailureStringIsRead() {
        String py = "{\"class\": \"InvalidBackup\", \"module\": \"cinder.exception\", \"message\": \"Invalid backup: x\","
                + " \"tb\": [\"Traceback...\"], \"args\": [], \"kwargs\": {\"reason\": \"x\", \"code\": 400}}";
        RemoteFailure f = RemoteFailure.fromJson(py);
        assertEquals("InvalidBackup", f.className());
        assertEquals(400L, f.kwargs().get("code"));
        assertNotNull(f.traceback());
    }

    @Test
    void contextRoundTrip() {
        RpcContext c = RpcContext.of("u1", "p1", true, List.of("admin"), null, "req-1", null);
        RpcRequest r = RpcRequest.cast("delete_backup", Map.of(), "2.0", c);
        RpcRequest back = OsloCodec.decodeRequest(OsloCodec.encode(r));
        assertEquals(c, back.context());
        assertEquals("u1", back.context().userId());
        assertEquals(32, r.uniqueId().length());
        assertTrue(r.toDict().containsKey("_context_user_identity"));
        assertFalse(r.toDict().containsKey("_msg_id"));
        RpcRequest call = RpcRequest.call("export_record", Map.of(), "2.0", "reply_x", c);
        Map<String, Object> d = call.toDict();
        assertTrue(d.containsKey("_timeout"));
        assertNull(d.get("_timeout"));
        assertEquals("reply_x", d.get("_reply_q"));
    }
}
