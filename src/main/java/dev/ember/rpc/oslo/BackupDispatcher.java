package dev.ember.rpc.oslo;

import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.BackupRpcEndpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * oslo.messaging's RPC dispatcher for the cinder-backup target: checks namespace and version as
 * {@code RPCDispatcher.dispatch} does (namespace must be absent; same major, minor not above
 * {@link #TARGET_VERSION}), decodes cinder's arguments (versioned objects → ids) and calls
 * {@link BackupRpcEndpoint} / {@link BackupRpcExtras}. Transport-neutral and blocking: run it on a
 * worker thread.
 */
public final class BackupDispatcher {

    /** Highest cinder-backup RPC API version served (2.4 = restore_backup's volume_is_new, 2023.1). */
    public static final String TARGET_VERSION = "2.4";

    /** Every method of cinder's BackupManager RPC API 2.x with its keyword arguments (required, optional). */
    private static final Map<String, Signature> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("create_backup", new Signature(Set.of("backup"), Set.of()));
        METHODS.put("continue_backup", new Signature(Set.of("backup", "backup_device"), Set.of()));
        METHODS.put("restore_backup", new Signature(Set.of("backup", "volume_id"), Set.of("volume_is_new")));
        METHODS.put("delete_backup", new Signature(Set.of("backup"), Set.of()));
        METHODS.put("export_record", new Signature(Set.of("backup"), Set.of()));
        METHODS.put("import_record", new Signature(Set.of("backup", "backup_service", "backup_url"),
                Set.of("backup_hosts")));
        METHODS.put("reset_status", new Signature(Set.of("backup", "status"), Set.of()));
        METHODS.put("check_support_to_force_delete", new Signature(Set.of(), Set.of()));
        METHODS.put("publish_service_capabilities", new Signature(Set.of(), Set.of()));
        METHODS.put("set_log_levels", new Signature(Set.of("log_request"), Set.of()));
        METHODS.put("get_log_levels", new Signature(Set.of("log_request"), Set.of()));
    }

    private record Signature(Set<String> required, Set<String> optional) {
    }

    /** The outcome of one dispatch: a result (possibly null) or a failure to reply with. */
    public record Outcome(Object result, RemoteFailure failure, Throwable error) {
        public boolean failed() {
            return failure != null;
        }
    }

    private final BackupRpcEndpoint endpoint;
    private final BackupRpcExtras extras;

    public BackupDispatcher(BackupRpcEndpoint endpoint, BackupRpcExtras extras) {
        this.endpoint = endpoint;
        this.extras = extras == null ? BackupRpcExtras.defaults() : extras;
    }

    public static Set<String> methods() {
        return METHODS.keySet();
    }

    /** Never throws: errors become the failure oslo would reply with. */
    public Outcome dispatch(RpcRequest req) {
        RemoteFailure rejected = check(req);
        if (rejected != null) {
            return new Outcome(null, rejected, null);
        }
        try {
            return new Outcome(invoke(req.method(), req.args()), null, null);
        } catch (RuntimeException | Error e) {
            return new Outcome(null, CinderFailures.toFailure(e), e);
        }
    }

    /** NoSuchMethod / UnsupportedVersion, exactly when oslo's dispatcher raises them; else null. */
    public static RemoteFailure check(RpcRequest req) {
        String version = req.effectiveVersion();
        if (req.namespace() != null || !compatible(TARGET_VERSION, version)) {
            return RemoteFailure.unsupportedVersion(version, req.method());
        }
        if (!METHODS.containsKey(req.method())) {
            return RemoteFailure.noSuchMethod(req.method());
        }
        return null;
    }

    /** oslo_messaging._utils.version_is_compatible. */
    static boolean compatible(String implemented, String requested) {
        try {
            String[] r = requested.split("\\.");
            String[] i = implemented.split("\\.");
            if (Integer.parseInt(r[0]) != Integer.parseInt(i[0])) {
                return false;
            }
            int rMinor = r.length > 1 ? Integer.parseInt(r[1]) : 0;
            int iMinor = i.length > 1 ? Integer.parseInt(i[1]) : 0;
            if (rMinor > iMinor) {
                return false;
            }
            if (rMinor == iMinor) {
                int rRev = r.length > 2 ? Integer.parseInt(r[2]) : 0;
                int iRev = i.length > 2 ? Integer.parseInt(i[2]) : 0;
                return rRev <= iRev;
            }
            return true;
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    private Object invoke(String method, Map<String, Object> args) {
        Signature sig = METHODS.get(method);
        for (String r : sig.required()) {
            if (!args.containsKey(r)) {
                throw new OsloProtocolException(method + "() missing required argument: '" + r + "'");
            }
        }
        for (String a : args.keySet()) {
            if (!sig.required().contains(a) && !sig.optional().contains(a)) {
                throw new OsloProtocolException(method + "() got an unexpected keyword argument '" + a + "'");
            }
        }
        switch (method) {
            case "create_backup" -> endpoint.createBackup(backupId(args));
            case "continue_backup" -> extras.continueBackup(backup(args),
                    BackupDeviceInfo.fromPrimitive(object(args, "backup_device")));
            case "restore_backup" -> endpoint.restoreBackup(backupId(args), str(args, "volume_id"),
                    Boolean.TRUE.equals(args.get("volume_is_new")));
            case "delete_backup" -> endpoint.deleteBackup(backupId(args));
            case "export_record" -> {
                BackupRpc.ExportedRecord rec = endpoint.exportRecord(backupId(args));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("backup_service", rec.backupService());
                out.put("backup_url", rec.backupUrl());
                return out;
            }
            case "import_record" -> endpoint.importRecord(backupId(args), str(args, "backup_service"),
                    str(args, "backup_url"), strings(args.get("backup_hosts")));
            case "reset_status" -> endpoint.resetStatus(backupId(args), str(args, "status"));
            case "check_support_to_force_delete" -> {
                return endpoint.checkSupportToForceDelete();
            }
            case "publish_service_capabilities" -> extras.publishServiceCapabilities();
            case "set_log_levels" -> extras.setLogLevels(LogLevel.fromPrimitive(object(args, "log_request")));
            case "get_log_levels" -> {
                return LogLevel.listPrimitive(extras.getLogLevels(LogLevel.fromPrimitive(object(args, "log_request"))));
            }
            default -> throw new IllegalStateException(method);
        }
        return null;
    }

    /** The backup id of the {@code backup} argument (a Backup primitive; a bare id string is accepted too). */
    public static String backupId(Map<String, Object> args) {
        Object b = args.get("backup");
        if (b instanceof String s) {
            return s;
        }
        return backup(args).id();
    }

    public static BackupObject backup(Map<String, Object> args) {
        return BackupObject.fromPrimitive(object(args, "backup"));
    }

    private static VersionedObject object(Map<String, Object> args, String key) {
        Object v = args.get(key);
        if (v instanceof VersionedObject o) {
            return o;
        }
        throw new OsloProtocolException("argument " + key + " is not a versioned object");
    }

    private static String str(Map<String, Object> args, String key) {
        Object v = args.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new OsloProtocolException("argument " + key + " is not a string");
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
        } else if (v instanceof String s) {
            out.add(s);
        }
        return List.copyOf(out);
    }
}
