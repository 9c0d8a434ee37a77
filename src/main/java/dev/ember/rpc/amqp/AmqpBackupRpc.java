package dev.ember.rpc.amqp;

import dev.ember.error.CinderException;
import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.RpcContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link BackupRpc} over RabbitMQ as cinder's {@code BackupAPI} (cinder/backup/rpcapi.py) sends it,
 * so the receiver can be Ember or a stock Python cinder-backup: the backup methods turned into
 * oslo casts and calls to {@code cinder-backup.<host>}. The wire work (confirms, reply queue,
 * timeouts, reconnects) is {@link OsloRpcClient}'s.
 *
 * <p>Blocking: call the {@link BackupRpc} methods from worker threads, never from an event loop.
 */
public final class AmqpBackupRpc implements BackupRpc, AutoCloseable {

    public static final String TOPIC = AmqpRpcServer.TOPIC;
    /** Zed's cinder-backup RPC version: the cap unless the wiring knows better (2.4 adds volume_is_new). */
    public static final String DEFAULT_VERSION_CAP = "2.3";

    private final OsloRpcClient oslo;
    private final boolean ownsClient;
    private final BackupObjectSource backups;
    private final Supplier<RpcContext> context;
    private final Supplier<String> versionCap;

    /** With a connection of its own; casts and calls carry an admin context acting for the backup's project. */
    public AmqpBackupRpc(Vertx vertx, RabbitSettings settings, BackupObjectSource backups) {
        this(new OsloRpcClient(vertx, settings, "ember cinder-backup client"), true, backups, null,
                () -> DEFAULT_VERSION_CAP);
    }

    /** Over an existing (started) client, shared with the rest of the process's outgoing RPC. */
    public AmqpBackupRpc(OsloRpcClient oslo, BackupObjectSource backups) {
        this(oslo, false, backups, null, () -> DEFAULT_VERSION_CAP);
    }

    /**
     * @param context    the request context to send (null: admin context with the backup's user/project)
     * @param versionCap the highest cinder-backup RPC version the receivers understand (as cinder reads
     *                   it from the services table), e.g. "2.3"
     */
    public AmqpBackupRpc(OsloRpcClient oslo, boolean ownsClient, BackupObjectSource backups,
                         Supplier<RpcContext> context, Supplier<String> versionCap) {
        this.oslo = oslo;
        this.ownsClient = ownsClient;
        this.backups = backups;
        this.context = context;
        this.versionCap = versionCap == null ? () -> DEFAULT_VERSION_CAP : versionCap;
    }

    public String replyQueue() {
        return oslo.replyQueue();
    }

    public boolean isConnected() {
        return oslo.isConnected();
    }

    /** Starts the client when it is this object's own. */
    public Future<Void> start() {
        return ownsClient ? oslo.start() : Future.succeededFuture();
    }

    // ------------------------------------------------------------------ BackupRpc

    @Override
    public void createBackup(String host, String backupId) {
        BackupObject b = backups.load(backupId);
        cast(host, "create_backup", args("backup", b.toPrimitive()), "2.0", b);
    }

    @Override
    public void restoreBackup(String host, String backupId, String volumeId, boolean volumeIsNew) {
        BackupObject b = backups.load(backupId);
        Map<String, Object> a = args("backup", b.toPrimitive());
        a.put("volume_id", volumeId);
        if (canSend("2.4")) {
            a.put("volume_is_new", volumeIsNew);
            cast(host, "restore_backup", a, "2.4", b);
        } else {
            cast(host, "restore_backup", a, "2.0", b);
        }
    }

    @Override
    public void deleteBackup(String host, String backupId) {
        BackupObject b = backups.load(backupId);
        cast(host, "delete_backup", args("backup", b.toPrimitive()), "2.0", b);
    }

    @Override
    public void resetStatus(String host, String backupId, String status) {
        BackupObject b = backups.load(backupId);
        Map<String, Object> a = args("backup", b.toPrimitive());
        a.put("status", status);
        cast(host, "reset_status", a, "2.0", b);
    }

    @Override
    @SuppressWarnings("unchecked")
    public ExportedRecord exportRecord(String host, String backupId) {
        BackupObject b = backups.load(backupId);
        Object result = call(host, "export_record", args("backup", b.toPrimitive()), "2.0", b);
        if (!(result instanceof Map<?, ?> m)) {
            throw new CinderException(CinderException.Kind.INTERNAL, "export_record returned " + result);
        }
        Map<String, Object> r = (Map<String, Object>) m;
        return new ExportedRecord((String) r.get("backup_service"), (String) r.get("backup_url"));
    }

    @Override
    public void importRecord(String host, String backupId, String backupService, String backupUrl,
                             List<String> backupHosts) {
        BackupObject b = backups.load(backupId);
        Map<String, Object> a = args("backup", b.toPrimitive());
        a.put("backup_service", backupService);
        a.put("backup_url", backupUrl);
        a.put("backup_hosts", backupHosts == null ? List.of() : backupHosts);
        cast(host, "import_record", a, "2.0", b);
    }

    @Override
    public boolean checkSupportToForceDelete(String host) {
        Object r = call(host, "check_support_to_force_delete", new LinkedHashMap<>(), "2.0", null);
        return Boolean.TRUE.equals(r);
    }

    // ------------------------------------------------------------------ generic

    private static Map<String, Object> args(String k, Object v) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put(k, v);
        return a;
    }

    private boolean canSend(String version) {
        String cap = versionCap.get();
        if (cap == null) {
            return true;
        }
        String[] c = cap.split("\\.");
        String[] v = version.split("\\.");
        int cm = Integer.parseInt(c[0]);
        int vm = Integer.parseInt(v[0]);
        return cm == vm ? Integer.parseInt(c[1]) >= Integer.parseInt(v[1]) : cm > vm;
    }

    private RpcContext contextFor(BackupObject b) {
        if (context != null) {
            RpcContext c = context.get();
            if (c != null) {
                return c;
            }
        }
        if (b == null) {
            return RpcContext.admin();
        }
        return RpcContext.of(b.userId(), b.projectId(), true, List.of("admin"), null, null, null);
    }

    /** A cast to {@code cinder-backup.<host>}; returns once the broker confirmed it. */
    public void cast(String host, String method, Map<String, Object> args, String version, BackupObject about) {
        oslo.cast(TOPIC, host, method, args, version, contextFor(about));
    }

    /** A call to {@code cinder-backup.<host>}: the reply's result, or its failure raised. */
    public Object call(String host, String method, Map<String, Object> args, String version, BackupObject about) {
        return oslo.call(TOPIC, host, method, args, version, contextFor(about));
    }

    @Override
    public void close() {
        if (ownsClient) {
            oslo.close();
        }
    }
}
