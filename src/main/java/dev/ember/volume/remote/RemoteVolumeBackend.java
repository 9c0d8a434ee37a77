package dev.ember.volume.remote;

import dev.ember.ceph.CephCluster;
import dev.ember.ceph.CephException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.device.rbd.SourceKind;
import dev.ember.rpc.amqp.VolumeRpcClient;
import dev.ember.rpc.oslo.BackupDeviceInfo;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.RpcContext;
import dev.ember.rpc.oslo.VersionedObject;
import dev.ember.model.Volume;
import dev.ember.volume.VolumeDevices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Volumes served by a real cinder-volume, reached as cinder-backup reaches them: over RPC
 * ({@link VolumeRpcClient}) for the device and its connection, then through librbd for the data.
 *
 * <p>Backup source ({@link #openBackupSource}): {@code get_backup_device} (a call with
 * {@code async_call=False}; or the device a {@code continue_backup} cast delivered, see
 * {@link #supply}) → {@code initialize_connection} (or {@code initialize_connection_snapshot}) with
 * the {@link ConnectorProperties} → the {@code rbd} connection info's {@code pool/image} opened with
 * the backup side's ceph.conf and user → an {@link RbdDevice}: {@link SourceKind#LIVE_VOLUME} when
 * the device is the backup's volume, {@link SourceKind#TEMPORARY_CLONE} when cinder-volume made a
 * temporary volume, {@link SourceKind#CINDER_SNAPSHOT} for a snapshot device. Closing it does what
 * cinder's backup manager does after the driver: {@code terminate_connection(force=True)},
 * {@code remove_export(sync=True)} (snapshot variants for snapshots), then casts
 * {@code delete_volume} / {@code delete_snapshot} for a temporary volume / snapshot.
 *
 * <p>Restore target ({@link #openRestoreTarget}): the Volume object from the database →
 * {@code secure_file_operations_enabled} → {@code initialize_connection} → image → {@link RbdDevice} ({@code LIVE_VOLUME}); closing detaches
 * the same way. Volumes are created and deleted by cinder-volume, never here: this is the backup
 * manager's side of the boundary ({@link VolumeDevices}) only, with no {@code VolumeStore}.
 *
 * <p>Blocking throughout; one Ceph connection per cephx user, kept until {@link #close}.
 */
public final class RemoteVolumeBackend implements VolumeDevices, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteVolumeBackend.class);

    /**
     * @param cephConf  the backup side's ceph.conf ({@code backup_ceph_conf}, else {@code rbd_ceph_conf})
     * @param cephUser  the cephx user when the connection info names none ({@code backup_ceph_user})
     * @param keyring   overrides the conf's keyring (nullable)
     * @param connector the connector properties sent to cinder-volume ({@link ConnectorProperties#of})
     * @param useConnectionUser connect as the connection info's {@code auth_username} (as os-brick does)
     */
    public record Settings(Path cephConf, String cephUser, Path keyring, Map<String, Object> connector,
                           boolean useConnectionUser) {
    }

    private final VolumeRpcClient rpc;
    private final Settings settings;
    private final BackupLookup backups;
    private final VolumeObjectSource volumes;
    private final Map<String, CephCluster> clusters = new ConcurrentHashMap<>();
    private final Map<String, BackupDeviceInfo> supplied = new ConcurrentHashMap<>();

    public RemoteVolumeBackend(VolumeRpcClient rpc, Settings settings, BackupLookup backups, VolumeObjectSource volumes) {
        this.rpc = rpc;
        this.settings = settings;
        this.backups = backups;
        this.volumes = volumes;
    }

    public Map<String, Object> connector() {
        return settings.connector();
    }

    /** The admin context cinder's manager uses, acting for the backup's user and project. */
    static RpcContext contextFor(BackupObject b) {
        return b == null ? RpcContext.admin()
                : RpcContext.of(b.userId(), b.projectId(), true, List.of("admin"), null, null, null);
    }

    // ------------------------------------------------------------------ VolumeDevices

    /** Attaches the volume through initialize_connection, as cinder's {@code _run_restore} does. */
    @Override
    public VolumeDevice openRestoreTarget(String volumeId) throws IOException {
        VersionedObject volume;
        try {
            volume = volumes.load(volumeId);
        } catch (RuntimeException e) {
            throw new IOException("cannot load volume " + volumeId + ": " + e.getMessage(), e);
        }
        RpcContext ctx = RpcContext.of(volume.string("user_id"), volume.string("project_id"), true,
                List.of("admin"), null, null, null);
        // cinder's _run_restore asks this first (it matters for file-based devices only).
        try {
            rpc.secureFileOperationsEnabled(ctx, volume);
        } catch (RuntimeException e) {
            throw new IOException("secure_file_operations_enabled for volume " + volumeId + " failed: "
                    + e.getMessage(), e);
        }
        return attachVolume(ctx, volume, volumeId, SourceKind.LIVE_VOLUME, null);
    }

    /**
     * cinder-volume owns the volume: attaching it for a cleanup at start would wait on its RPC.
     * A snapshot left there is removed by the next backup's rotation, as cinder-backup does.
     */
    @Override
    public VolumeDevice openForCleanup(String volumeId) {
        return null;
    }

    /**
     * Nothing to release here: a temporary volume or snapshot of a backup is cinder-volume's, made
     * by {@code get_backup_device} and deleted by the cast sent when its device closes. (A process
     * killed before that cast leaves it, since the backup's {@code temp_volume_id} and
     * {@code temp_snapshot_id}, which cinder's manager deletes at start, are not read here.)
     */
    @Override
    public void releaseInterruptedBackupSource(String volumeId, Predicate<String> isVolume) {
    }

    @Override
    public VolumeDevice openBackupSource(Volume volume, String snapshotId) throws IOException {
        BackupObject backup;
        try {
            backup = backups.creatingBackupOf(volume.id(), snapshotId);
        } catch (RuntimeException e) {
            throw new IOException("cannot find the backup being created for volume " + volume.id() + ": "
                    + e.getMessage(), e);
        }
        BackupDeviceInfo device = supplied.remove(backup.id());
        RpcContext ctx = contextFor(backup);
        if (device == null) {
            VersionedObject vol;
            try {
                vol = volumes.load(volume.id());
                device = rpc.getBackupDevice(ctx, backup, vol);
            } catch (RuntimeException e) {
                throw new IOException("get_backup_device for backup " + backup.id() + " failed: " + e.getMessage(), e);
            }
        } else {
            LOG.info("backup {}: using the device cinder-volume sent with continue_backup", backup.id());
        }
        return openDevice(backup, device);
    }

    // ------------------------------------------------------------------ device handling

    /**
     * Remembers the device a {@code continue_backup} cast brought for {@code backup}, so the next
     * {@link #openBackupSource} for it uses that device instead of asking cinder-volume again.
     */
    public void supply(BackupObject backup, BackupDeviceInfo device) {
        supplied.put(backup.id(), device);
    }

    /** Forgets a device supplied but not used (the backup was not run). */
    public void forget(String backupId) {
        supplied.remove(backupId);
    }

    /** Attaches the device of a BackupDeviceInfo for {@code backup} (see the class comment). */
    public RbdDevice openDevice(BackupObject backup, BackupDeviceInfo device) throws IOException {
        RpcContext ctx = contextFor(backup);
        if (device.isSnapshot()) {
            VersionedObject snapshot = device.snapshot();
            VersionedObject volume = snapshot.get("volume") instanceof VersionedObject v ? v
                    : volumes.load(backup.volumeId());
            boolean temporary = backup.snapshotId() == null || !backup.snapshotId().equals(snapshot.string("id"));
            return attachSnapshot(ctx, snapshot, volume, backup.volumeId(), temporary);
        }
        if (device.volume() == null) {
            throw new IOException("backup device of backup " + backup.id() + " has neither volume nor snapshot");
        }
        VersionedObject volume = device.volume().source();
        boolean temporary = !backup.volumeId().equals(volume.string("id"));
        return attachVolume(ctx, volume, backup.volumeId(), temporary ? SourceKind.TEMPORARY_CLONE
                : SourceKind.LIVE_VOLUME, temporary ? () -> {
                    LOG.info("deleting temporary volume {} of backup {}", volume.string("id"), backup.id());
                    rpc.deleteVolume(ctx, volume);
                } : null);
    }

    private RbdDevice attachVolume(RpcContext ctx, VersionedObject volume, String ownerVolumeId, SourceKind kind,
                                   Runnable afterDetach) throws IOException {
        Map<String, Object> connector = settings.connector();
        Map<String, Object> info;
        try {
            info = rpc.initializeConnection(ctx, volume, connector);
        } catch (RuntimeException e) {
            safely(() -> rpc.terminateConnection(ctx, volume, connector, true), "terminate_connection");
            runQuietly(afterDetach);
            throw new IOException("initialize_connection of volume " + volume.string("id") + " failed: "
                    + e.getMessage(), e);
        }
        Runnable detach = () -> {
            List<String> errors = new ArrayList<>();
            collect(errors, () -> rpc.terminateConnection(ctx, volume, connector, true), "terminate_connection");
            collect(errors, () -> rpc.removeExport(ctx, volume, true), "remove_export");
            if (afterDetach != null) {
                collect(errors, afterDetach, "temporary volume cleanup");
            }
            if (!errors.isEmpty()) {
                LOG.warn("detaching volume {}: {}", volume.string("id"), String.join("; ", errors));
            }
        };
        return openImage(info, ownerVolumeId, kind, detach);
    }

    private RbdDevice attachSnapshot(RpcContext ctx, VersionedObject snapshot, VersionedObject volume,
                                     String ownerVolumeId, boolean temporary) throws IOException {
        Map<String, Object> connector = settings.connector();
        Map<String, Object> info;
        try {
            info = rpc.initializeConnectionSnapshot(ctx, snapshot, volume, connector);
        } catch (RuntimeException e) {
            safely(() -> rpc.terminateConnectionSnapshot(ctx, snapshot, volume, connector, true),
                    "terminate_connection_snapshot");
            throw new IOException("initialize_connection_snapshot of snapshot " + snapshot.string("id")
                    + " failed: " + e.getMessage(), e);
        }
        Runnable detach = () -> {
            List<String> errors = new ArrayList<>();
            collect(errors, () -> rpc.terminateConnectionSnapshot(ctx, snapshot, volume, connector, true),
                    "terminate_connection_snapshot");
            collect(errors, () -> rpc.removeExportSnapshot(ctx, snapshot, volume, true), "remove_export_snapshot");
            if (temporary) {
                collect(errors, () -> rpc.deleteSnapshot(ctx, snapshot, volume), "delete_snapshot");
            }
            if (!errors.isEmpty()) {
                LOG.warn("detaching snapshot {}: {}", snapshot.string("id"), String.join("; ", errors));
            }
        };
        return openImage(info, ownerVolumeId, SourceKind.CINDER_SNAPSHOT, detach);
    }

    /** Opens the connection info's image; on failure detaches at once. */
    private RbdDevice openImage(Map<String, Object> info, String ownerVolumeId, SourceKind kind, Runnable detach)
            throws IOException {
        Pool pool = null;
        RbdImage image = null;
        try {
            RbdConnectionInfo c = RbdConnectionInfo.parse(info);
            String user = settings.useConnectionUser() && c.authUsername() != null ? c.authUsername()
                    : settings.cephUser();
            pool = cluster(user).openPool(c.pool());
            image = c.snapshot() == null ? pool.openImage(c.image()) : pool.openImageReadOnly(c.image(), c.snapshot());
            Pool p = pool;
            LOG.debug("attached {}/{}{} ({}) through librbd", c.pool(), c.image(),
                    c.snapshot() == null ? "" : "@" + c.snapshot(), kind);
            return new RbdDevice(pool, c.snapshot() == null ? c.image() : c.image() + "@" + c.snapshot(),
                    ownerVolumeId, kind, image, () -> {
                        try {
                            p.close();
                        } finally {
                            detach.run();
                        }
                    });
        } catch (IOException | RuntimeException e) {
            if (image != null) {
                image.close();
            }
            if (pool != null) {
                pool.close();
            }
            detach.run();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private CephCluster cluster(String user) throws CephException {
        CephCluster c = clusters.get(user);
        if (c != null && !c.isClosed()) {
            return c;
        }
        synchronized (clusters) {
            c = clusters.get(user);
            if (c == null || c.isClosed()) {
                c = CephCluster.connect(settings.cephConf(), user, settings.keyring());
                clusters.put(user, c);
            }
            return c;
        }
    }

    private static void safely(Runnable r, String what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed: {}", what, e.toString());
        }
    }

    private static void runQuietly(Runnable r) {
        if (r != null) {
            safely(r, "cleanup");
        }
    }

    private static void collect(List<String> errors, Runnable r, String what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            errors.add(what + ": " + e);
        }
    }

    @Override
    public void close() {
        synchronized (clusters) {
            clusters.values().forEach(CephCluster::close);
            clusters.clear();
        }
    }
}
