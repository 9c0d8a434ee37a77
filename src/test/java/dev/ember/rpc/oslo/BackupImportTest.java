package dev.ember.rpc.oslo;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** cinder-api's import_record sends a {@code BackupImport} object, not a {@code Backup} (found by tests/interop). */
class BackupImportTest {

    @Test
    void importRecordWithABackupImportObject() {
        RecordingEndpoint ep = new RecordingEndpoint();
        BackupDispatcher d = new BackupDispatcher(ep, ep);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", "b7");
        data.put("user_id", "u");
        data.put("project_id", "p");
        data.put("volume_id", "00000000-0000-0000-0000-000000000000");
        data.put("status", "creating");
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("backup", new VersionedObject("BackupImport", "cinder", "1.7", data, null));
        args.put("backup_service", "cinder.backup.drivers.posix.PosixBackupDriver");
        args.put("backup_url", "eyJ9");
        args.put("backup_hosts", List.of());
        BackupDispatcher.Outcome out = d.dispatch(RpcRequest.cast("import_record", args, "2.0", RpcContext.admin()));
        assertFalse(out.failed(), String.valueOf(out.failure()));
        assertEquals(List.of("import_record b7 cinder.backup.drivers.posix.PosixBackupDriver eyJ9 []"), ep.calls);
    }
}
