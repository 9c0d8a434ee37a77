package dev.ember.rpc.amqp;

import dev.ember.rpc.oslo.BackupDeviceInfo;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.OsloProtocolException;
import dev.ember.rpc.oslo.RpcContext;
import dev.ember.rpc.oslo.VersionedObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The part of cinder's volume RPC API ({@code cinder/volume/rpcapi.py}, Zed: 3.17/3.18) that a
 * cinder-backup host uses, addressed as cinder does it: topic {@code cinder-volume.<host@backend>},
 * server {@code <host>} (routing key {@code cinder-volume.<host@backend>.<host>}), where
 * {@code host@backend} comes from the volume's {@code cluster_name} or {@code host} with the pool
 * ({@code #pool}) removed ({@code volume.service_topic_queue} + {@code extract_host}).
 *
 * <table>
 * <tr><th>method</th><th>kind</th><th>version</th></tr>
 * <tr><td>get_backup_device(backup, want_objects=True, async_call)</td><td>call (async_call=False) or cast (True, answered by continue_backup)</td><td>3.17</td></tr>
 * <tr><td>secure_file_operations_enabled(volume)</td><td>call</td><td>3.0</td></tr>
 * <tr><td>initialize_connection(connector, volume)</td><td>call</td><td>3.0</td></tr>
 * <tr><td>terminate_connection(volume_id, connector, force)</td><td>call</td><td>3.0</td></tr>
 * <tr><td>remove_export(volume_id)</td><td>call when sync, else cast</td><td>3.0</td></tr>
 * <tr><td>initialize_connection_snapshot / terminate_connection_snapshot / remove_export_snapshot (snapshot_id, ...)</td><td>call (remove: call when sync)</td><td>3.13</td></tr>
 * <tr><td>delete_volume(volume, unmanage_only=False, cascade=False)</td><td>cast</td><td>3.0</td></tr>
 * <tr><td>delete_snapshot(snapshot, unmanage_only=False)</td><td>cast</td><td>3.0</td></tr>
 * </table>
 *
 * <p>Blocking (each call waits up to rpc_response_timeout); failures are raised as
 * {@link dev.ember.error.CinderException} / {@link dev.ember.rpc.oslo.RemoteRpcException} /
 * {@link MessagingTimeoutException}.
 */
public final class VolumeRpcClient {

    public static final String TOPIC = "cinder-volume";

    private final OsloRpcClient rpc;

    public VolumeRpcClient(OsloRpcClient rpc) {
        this.rpc = rpc;
    }

    public OsloRpcClient transport() {
        return rpc;
    }

    /** {@code volume_utils.extract_host(host, 'backend')}: {@code host@backend#pool} → {@code host@backend}. */
    public static String backendOf(String host) {
        if (host == null) {
            return null;
        }
        int hash = host.indexOf('#');
        return hash < 0 ? host : host.substring(0, hash);
    }

    /** {@code extract_host(host, 'host')}: {@code host@backend#pool} → {@code host}. */
    public static String hostOf(String host) {
        String b = backendOf(host);
        if (b == null) {
            return null;
        }
        int at = b.indexOf('@');
        return at < 0 ? b : b.substring(0, at);
    }

    /** The target of a volume (or snapshot's volume) whose {@code service_topic_queue} is {@code queue}. */
    public record Target(String topic, String server) {
        public String routingKey() {
            return OsloRpcClient.routingKey(topic, server);
        }
    }

    public static Target target(String serviceTopicQueue) {
        if (serviceTopicQueue == null || serviceTopicQueue.isEmpty()) {
            throw new IllegalArgumentException("the volume has no host: it is not served by any cinder-volume");
        }
        String backend = backendOf(serviceTopicQueue);
        return new Target(TOPIC + "." + backend, hostOf(backend));
    }

    /** {@code volume.service_topic_queue}: cluster_name if set, else host. */
    public static String serviceTopicQueue(VersionedObject volume) {
        String cluster = volume.string("cluster_name");
        return cluster != null && !cluster.isEmpty() ? cluster : volume.string("host");
    }

    /** A snapshot's queue: its nested volume's when present, else {@code fallbackVolume}'s. */
    public static String serviceTopicQueue(VersionedObject snapshot, VersionedObject fallbackVolume) {
        if (snapshot.get("volume") instanceof VersionedObject v) {
            return serviceTopicQueue(v);
        }
        if (fallbackVolume == null) {
            throw new IllegalArgumentException("snapshot " + snapshot.string("id") + " without its volume");
        }
        return serviceTopicQueue(fallbackVolume);
    }

    private static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * get_backup_device as a call ({@code async_call=False}, which cinder-volume's manager answers with
     * the BackupDeviceInfo instead of casting continue_backup).
     */
    public BackupDeviceInfo getBackupDevice(RpcContext ctx, BackupObject backup, VersionedObject volume) {
        Target t = target(serviceTopicQueue(volume));
        Object r = rpc.call(t.topic(), t.server(), "get_backup_device",
                args("backup", backup.toPrimitive(), "want_objects", true, "async_call", false), "3.17", ctx);
        if (!(r instanceof VersionedObject o)) {
            throw new OsloProtocolException("get_backup_device returned " + r + " instead of a BackupDeviceInfo");
        }
        return BackupDeviceInfo.fromPrimitive(o);
    }

    /** get_backup_device as cinder-backup sends it in Zed: a cast, answered by a continue_backup cast. */
    public void getBackupDeviceAsync(RpcContext ctx, BackupObject backup, VersionedObject volume) {
        Target t = target(serviceTopicQueue(volume));
        rpc.cast(t.topic(), t.server(), "get_backup_device",
                args("backup", backup.toPrimitive(), "want_objects", true, "async_call", true), "3.17", ctx);
    }

    public boolean secureFileOperationsEnabled(RpcContext ctx, VersionedObject volume) {
        Target t = target(serviceTopicQueue(volume));
        return Boolean.TRUE.equals(rpc.call(t.topic(), t.server(), "secure_file_operations_enabled",
                args("volume", volume.toPrimitive()), "3.0", ctx));
    }

    /** The connection info dict ({@code driver_volume_type}, {@code data}). */
    public Map<String, Object> initializeConnection(RpcContext ctx, VersionedObject volume, Map<String, Object> connector) {
        Target t = target(serviceTopicQueue(volume));
        return dict(rpc.call(t.topic(), t.server(), "initialize_connection",
                args("connector", connector, "volume", volume.toPrimitive()), "3.0", ctx), "initialize_connection");
    }

    public void terminateConnection(RpcContext ctx, VersionedObject volume, Map<String, Object> connector, boolean force) {
        Target t = target(serviceTopicQueue(volume));
        rpc.call(t.topic(), t.server(), "terminate_connection",
                args("volume_id", volume.string("id"), "connector", connector, "force", force), "3.0", ctx);
    }

    /** remove_export: a call when {@code sync} (cinder-backup's detach), else a cast. */
    public void removeExport(RpcContext ctx, VersionedObject volume, boolean sync) {
        Target t = target(serviceTopicQueue(volume));
        if (sync) {
            rpc.call(t.topic(), t.server(), "remove_export", args("volume_id", volume.string("id")), "3.0", ctx);
        } else {
            rpc.cast(t.topic(), t.server(), "remove_export", args("volume_id", volume.string("id")), "3.0", ctx);
        }
    }

    public Map<String, Object> initializeConnectionSnapshot(RpcContext ctx, VersionedObject snapshot,
                                                            VersionedObject volume, Map<String, Object> connector) {
        Target t = target(serviceTopicQueue(snapshot, volume));
        return dict(rpc.call(t.topic(), t.server(), "initialize_connection_snapshot",
                args("snapshot_id", snapshot.string("id"), "connector", connector), "3.13", ctx),
                "initialize_connection_snapshot");
    }

    public void terminateConnectionSnapshot(RpcContext ctx, VersionedObject snapshot, VersionedObject volume,
                                            Map<String, Object> connector, boolean force) {
        Target t = target(serviceTopicQueue(snapshot, volume));
        rpc.call(t.topic(), t.server(), "terminate_connection_snapshot",
                args("snapshot_id", snapshot.string("id"), "connector", connector, "force", force), "3.13", ctx);
    }

    public void removeExportSnapshot(RpcContext ctx, VersionedObject snapshot, VersionedObject volume, boolean sync) {
        Target t = target(serviceTopicQueue(snapshot, volume));
        Map<String, Object> a = args("snapshot_id", snapshot.string("id"));
        if (sync) {
            rpc.call(t.topic(), t.server(), "remove_export_snapshot", a, "3.13", ctx);
        } else {
            rpc.cast(t.topic(), t.server(), "remove_export_snapshot", a, "3.13", ctx);
        }
    }

    /** Deletes a (temporary) volume: cast delete_volume(volume, unmanage_only=False, cascade=False). */
    public void deleteVolume(RpcContext ctx, VersionedObject volume) {
        Target t = target(serviceTopicQueue(volume));
        rpc.cast(t.topic(), t.server(), "delete_volume",
                args("volume", volume.toPrimitive(), "unmanage_only", false, "cascade", false), "3.0", ctx);
    }

    /** Deletes a (temporary) snapshot: cast delete_snapshot(snapshot, unmanage_only=False). */
    public void deleteSnapshot(RpcContext ctx, VersionedObject snapshot, VersionedObject volume) {
        Target t = target(serviceTopicQueue(snapshot, volume));
        rpc.cast(t.topic(), t.server(), "delete_snapshot",
                args("snapshot", snapshot.toPrimitive(), "unmanage_only", false), "3.0", ctx);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dict(Object r, String what) {
        if (r instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new OsloProtocolException(what + " returned " + r + " instead of a dict");
    }
}
