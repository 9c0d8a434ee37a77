package dev.ember.rpc.oslo;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupDispatcherTest {

    private final RecordingEndpoint ep = new RecordingEndpoint();
    private final BackupDispatcher d = new BackupDispatcher(ep, ep);

    private static RpcRequest capture(String name) {
        return OsloCodec.decodeRequest(Captures.body(Captures.load(name)));
    }

    private static Map<String, Object> backupArg(String id) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("backup", VersionedObject.of("Backup", "1.7", Map.of("id", id, "host", "h", "status", "available")));
        return a;
    }

    @Test
    void capturedCastsReachTheEndpoint() {
        for (String f : List.of("rpc-create_backup.json", "rpc-create_backup-incremental.json",
                "rpc-delete_backup.json", "rpc-restore_backup.json", "rpc-continue_backup.json",
                "rpc-publish_service_capabilities-backup-fanout.json")) {
            BackupDispatcher.Outcome o = d.dispatch(capture(f));
            assertFalse(o.failed(), f + ": " + o.failure());
            assertNull(o.result());
        }
        assertEquals(List.of(
                "create_backup 36241ada-a4e0-4a92-a2e3-f82b25a49223",
                "create_backup e8f1f064-c103-4303-bb1a-97975eb1ea62",
                "delete_backup 6bd1e537-bc1e-4d7e-8ca8-ac1a72c5e291",
                "restore_backup 6bd1e537-bc1e-4d7e-8ca8-ac1a72c5e291 2bbc8033-852b-4ba7-9463-43b45721f8be false",
                "continue_backup 36241ada-a4e0-4a92-a2e3-f82b25a49223 d78340ff-506b-4d87-b8c2-feb60c25597c",
                "publish_service_capabilities"), ep.calls);
    }

    @Test
    void callsReturnResults() {
        RpcContext c = RpcContext.admin();
        BackupDispatcher.Outcome exp = d.dispatch(RpcRequest.call("export_record", backupArg("b1"), "2.0", "reply_x", c));
        assertEquals(Map.of("backup_service", "cinder.backup.drivers.posix.PosixBackupDriver", "backup_url", "url-of-b1"),
                exp.result());
        assertEquals(Boolean.TRUE, d.dispatch(RpcRequest.call("check_support_to_force_delete", Map.of(), "2.0",
                "reply_x", c)).result());
        Map<String, Object> lr = Map.of("log_request", new LogLevel("dev", null).toPrimitive());
        VersionedObject levels = (VersionedObject) d.dispatch(RpcRequest.call("get_log_levels", lr, "2.1", "r", c))
                .result();
        assertEquals(List.of(new LogLevel("dev.ember", "INFO")), LogLevel.fromListPrimitive(levels));
        assertFalse(d.dispatch(RpcRequest.cast("set_log_levels",
                Map.of("log_request", new LogLevel("dev", "DEBUG").toPrimitive()), "2.1", c)).failed());
        Map<String, Object> restore = backupArg("b2");
        restore.put("volume_id", "v9");
        restore.put("volume_is_new", true);
        assertFalse(d.dispatch(RpcRequest.cast("restore_backup", restore, "2.4", c)).failed());
        Map<String, Object> imp = backupArg("b3");
        imp.put("backup_service", "svc");
        imp.put("backup_url", "url");
        imp.put("backup_hosts", List.of("h1", "h2"));
        assertFalse(d.dispatch(RpcRequest.cast("import_record", imp, "2.0", c)).failed());
        Map<String, Object> reset = backupArg("b4");
        reset.put("status", "error");
        assertFalse(d.dispatch(RpcRequest.cast("reset_status", reset, "2.0", c)).failed());
        assertTrue(ep.calls.containsAll(List.of("restore_backup b2 v9 true", "import_record b3 svc url [h1, h2]",
                "reset_status b4 error", "set_log_levels dev DEBUG")));
    }

    @Test
    void dispatcherErrorsAreOslos() {
        RpcContext c = RpcContext.admin();
        RemoteFailure nsm = d.dispatch(RpcRequest.call("frobnicate", Map.of(), "2.0", "r", c)).failure();
        assertEquals("NoSuchMethod", nsm.className());
        assertEquals("oslo_messaging.rpc.dispatcher", nsm.module());
        assertEquals("Endpoint does not support RPC method frobnicate", nsm.message());
        for (String v : List.of("3.0", "1.9", "2.5")) {
            RemoteFailure uv = d.dispatch(RpcRequest.call("create_backup", backupArg("b"), v, "r", c)).failure();
            assertEquals("UnsupportedVersion", uv.className(), v);
            assertEquals("Endpoint does not support RPC version " + v + ". Attempted method: create_backup",
                    uv.message());
        }
        // A missing version is 1.0 to oslo; a namespace the target does not have is a version mismatch too.
        assertEquals("UnsupportedVersion", d.dispatch(new RpcRequest("create_backup", backupArg("b"), null, null,
                null, null, null, "u", c)).failure().className());
        assertEquals("UnsupportedVersion", d.dispatch(new RpcRequest("create_backup", backupArg("b"), "2.0", "ns",
                null, null, null, "u", c)).failure().className());
        assertTrue(ep.calls.isEmpty());
        assertTrue(BackupDispatcher.compatible("2.4", "2.0"));
        assertTrue(BackupDispatcher.compatible("2.4", "2.4"));
        assertFalse(BackupDispatcher.compatible("2.4", "2.4.1"));
    }

    @Test
    void endpointExceptionsBecomeCinderFailures() {
        RpcContext c = RpcContext.admin();
        RemoteFailure f = d.dispatch(RpcRequest.call("export_record", backupArg(RecordingEndpoint.MISSING), "2.0",
                "r", c)).failure();
        assertEquals("BackupNotFound", f.className());
        assertEquals("cinder.exception", f.module());
        assertEquals("Backup " + RecordingEndpoint.MISSING + " could not be found.", f.message());
        RemoteFailure bad = d.dispatch(RpcRequest.cast("restore_backup", backupArg("b"), "2.0", c)).failure();
        assertEquals("TypeError", bad.className());
        Map<String, Object> extra = backupArg("b");
        extra.put("bogus", 1);
        assertEquals("TypeError", d.dispatch(RpcRequest.cast("delete_backup", extra, "2.0", c)).failure().className());
        Map<String, Object> newer = new LinkedHashMap<>();
        newer.put("backup", VersionedObject.of("Backup", "1.9", Map.of("id", "b")));
        assertEquals("IncompatibleObjectVersion",
                d.dispatch(RpcRequest.cast("delete_backup", newer, "2.0", c)).failure().className());
    }
}
