package dev.ember.volume;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.CephException;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.ImageOptions;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;
import dev.ember.config.Config;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.device.rbd.SourceKind;
import dev.ember.model.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Volumes as RBD images {@code <rbd_pool>/volume-<id>}, the Ceph profile's stand-in for
 * cinder-volume's RBD driver: cinder snapshots are RBD snapshots {@code snapshot-<id>}, and an
 * in-use volume is backed up from a temporary clone, as the generic {@code get_backup_device}
 * path of cinder's volume manager does (mechanism M1 of the seed lab: the snapshot
 * {@code volume-<tmp>.clone_snap} appears on the source for the duration of the backup).
 *
 * <p>One cluster connection and one pool context, opened at construction and shared by all
 * threads (librados/librbd are thread-safe), replaced after a lost session. Every call leases the
 * connection, and a device it opens holds its lease until the device is closed: a replaced
 * connection closes once the last backup or restore reading its images has ended. Every method
 * blocks.
 */
public final class RbdVolumeBackend implements VolumeStore, VolumeDevices, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RbdVolumeBackend.class);

    private final String poolName;
    private final CephConnection connection;

    private RbdVolumeBackend(Path confFile, String user, String poolName) {
        this.poolName = poolName;
        this.connection = CephConnection.of(confFile, user, null, "the volume backend");
    }

    /** Connects as {@code user} with {@code confFile} and opens {@code poolName}. */
    public static RbdVolumeBackend connect(Path confFile, String user, String poolName) throws CephException {
        RbdVolumeBackend backend = new RbdVolumeBackend(confFile, user, poolName);
        try (CephConnection.Lease lease = backend.connection.lease()) {
            lease.pool(poolName);
        } catch (CephException | RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /**
     * From cinder's RBD driver options: {@code rbd_pool} (default {@code rbd} in cinder; Ember's
     * Ceph profile defaults to {@code volumes}), {@code rbd_ceph_conf} (default
     * {@code /etc/ceph/ceph.conf}), {@code rbd_user} (default {@code cinder}).
     */
    public static RbdVolumeBackend fromConfig(Config config) throws CephException {
        String conf = config.get("rbd_ceph_conf", "");
        return connect(Path.of(conf == null || conf.isBlank() ? "/etc/ceph/ceph.conf" : conf),
                config.get("rbd_user", "cinder"), config.get("rbd_pool", "volumes"));
    }

    /** The volumes pool's name ({@code rbd_pool}). */
    public String poolName() {
        return poolName;
    }

    /** The backend's Ceph connection (for monitoring and tests). */
    public CephConnection connection() {
        return connection;
    }

    /**
     * The volumes pool on the current connection, without a lease: for tests on a healthy
     * cluster only (a lost connection may be closed under the caller). Ember's calls lease.
     */
    Pool pool() throws CephException {
        try (CephConnection.Lease lease = connection.lease()) {
            return lease.pool(poolName);
        }
    }

    private interface Call<T> {
        T run(Pool pool) throws IOException;
    }

    private interface DeviceCall {
        RbdDevice open(Pool pool, AutoCloseable release) throws IOException;
    }

    /** Runs {@code call} under a lease; a failure showing a lost session retires the connection. */
    private <T> T call(Call<T> call) throws IOException {
        try (CephConnection.Lease lease = connection.lease()) {
            try {
                return call.run(lease.pool(poolName));
            } catch (IOException | RuntimeException e) {
                lease.noteFailure(e);
                throw e;
            }
        }
    }

    /**
     * Opens a device under a lease that the device keeps: {@code release} (run when the device
     * is closed, after its own cleanup) gives it back, so the connection outlives the device.
     */
    private RbdDevice device(DeviceCall call) throws IOException {
        CephConnection.Lease lease = connection.lease();
        try {
            return call.open(lease.pool(poolName), lease);
        } catch (IOException | RuntimeException e) {
            lease.noteFailure(e);
            lease.close();
            throw e;
        }
    }

    /** {@code cleanup} (nullable), then {@code release}, even when the cleanup fails. */
    private static AutoCloseable thenRelease(AutoCloseable cleanup, AutoCloseable release) {
        return cleanup == null ? release : () -> {
            try (release) {
                cleanup.close();
            }
        };
    }

    public static String imageName(String volumeId) {
        return "volume-" + volumeId;
    }

    public static String snapshotName(String snapshotId) {
        return "snapshot-" + snapshotId;
    }

    /** The name of the temporary clone's snapshot on the source (cinder's RBD driver names it so). */
    public static String cloneSnapshotName(String cloneVolumeId) {
        return imageName(cloneVolumeId) + ".clone_snap";
    }

    @Override
    public void create(String volumeId, long sizeBytes) throws IOException {
        call(pool -> {
            pool.createImage(imageName(volumeId), sizeBytes, ImageOptions.defaults());
            return null;
        });
    }

    /**
     * Removes the image. Backup snapshots ({@code backup.*}) go with it, as cinder's RBD driver
     * removes them ({@code _delete_backup_snaps}); any other snapshot (a cinder snapshot, a
     * temporary clone's) makes the delete fail, since the API refuses volumes with snapshots.
     */
    @Override
    public void delete(String volumeId) throws IOException {
        call(pool -> {
            String name = imageName(volumeId);
            try (RbdImage img = pool.openImage(name)) {
                for (Snapshot s : img.listSnapshots()) {
                    if (s.name().startsWith("backup.")) {
                        img.removeSnapshot(s.name());
                    }
                }
            } catch (ImageNotFoundException e) {
                return null;
            }
            try {
                pool.removeImage(name);
            } catch (ImageNotFoundException e) {
                // removed concurrently
            }
            return null;
        });
    }

    /** The live image: the backup source of an available volume, the restore target, the cleanup's volume. */
    public VolumeDevice open(String volumeId, boolean writable) throws IOException {
        return device((pool, release) -> {
            String name = imageName(volumeId);
            // Read-write even for reads: the RBD backup driver snapshots the live source image.
            RbdImage img = pool.openImage(name);
            return new RbdDevice(pool, name, volumeId, SourceKind.LIVE_VOLUME, img, release);
        });
    }

    @Override
    public void extend(String volumeId, long newSizeBytes) throws IOException {
        call(pool -> {
            try (RbdImage img = pool.openImage(imageName(volumeId))) {
                if (img.size() < newSizeBytes) {
                    img.resize(newSizeBytes);
                }
            }
            return null;
        });
    }

    @Override
    public void createSnapshot(String volumeId, String snapshotId) throws IOException {
        call(pool -> {
            try (RbdImage img = pool.openImage(imageName(volumeId))) {
                img.createSnapshot(snapshotName(snapshotId));
            }
            return null;
        });
    }

    @Override
    public void deleteSnapshot(String volumeId, String snapshotId) throws IOException {
        removeSnapshot(imageName(volumeId), snapshotName(snapshotId));
    }

    /**
     * What a backup reads: {@code snapshotId} → the image at that cinder snapshot; a volume that
     * was {@code in-use} when the backup started → a temporary clone; else the live image.
     */
    @Override
    public VolumeDevice openBackupSource(Volume volume, String snapshotId) throws IOException {
        if (snapshotId != null) {
            return device((pool, release) -> {
                String name = imageName(volume.id());
                RbdImage img = pool.openImageReadOnly(name, snapshotName(snapshotId));
                return new RbdDevice(pool, name, volume.id(), SourceKind.CINDER_SNAPSHOT, img, release);
            });
        }
        if ("in-use".equals(volume.previousStatus())) {
            return openTemporaryClone(volume.id());
        }
        return open(volume.id(), false);
    }

    @Override
    public VolumeDevice openRestoreTarget(String volumeId) throws IOException {
        return open(volumeId, true);
    }

    /** The live image, where the RBD backup driver's snapshots are. */
    @Override
    public VolumeDevice openForCleanup(String volumeId) throws IOException {
        return open(volumeId, false);
    }

    /**
     * Cinder's {@code _create_temp_cloned_volume} with the RBD driver's {@code create_cloned_volume}:
     * snapshot {@code volume-<tmp>.clone_snap} on the source, protect it, clone it to
     * {@code volume-<tmp>}. Closing the device removes the clone, then unprotects and removes the
     * snapshot, so the source is left as it was.
     */
    RbdDevice openTemporaryClone(String volumeId) throws IOException {
        return device((pool, release) -> openTemporaryClone(pool, volumeId, release));
    }

    private RbdDevice openTemporaryClone(Pool pool, String volumeId, AutoCloseable release) throws IOException {
        String source = imageName(volumeId);
        String tmpId = UUID.randomUUID().toString();
        String clone = imageName(tmpId);
        String snap = cloneSnapshotName(tmpId);
        try (RbdImage src = pool.openImage(source)) {
            src.createSnapshot(snap);
            try {
                src.protectSnapshot(snap);
                pool.cloneImage(source, snap, pool, clone, ImageOptions.defaults());
            } catch (IOException | RuntimeException e) {
                removeSnapshot(source, snap);
                throw e;
            }
        }
        RbdImage img;
        try {
            img = pool.openImage(clone);
        } catch (IOException | RuntimeException e) {
            removeClone(source, clone, snap);
            throw e;
        }
        LOG.info("backup of in-use volume {} reads temporary clone {}", volumeId, clone);
        return new RbdDevice(pool, clone, volumeId, SourceKind.TEMPORARY_CLONE, img,
                thenRelease(() -> removeClone(source, clone, snap), release));
    }

    /**
     * A backup killed while it read a temporary clone leaves {@code volume-<tmp>} and its
     * protected snapshot {@code volume-<tmp>.clone_snap} on the source; {@code <tmp>} is no volume.
     */
    @Override
    public void releaseInterruptedBackupSource(String volumeId, Predicate<String> isVolume)
            throws IOException {
        String source = imageName(volumeId);
        List<String> tmpIds = new ArrayList<>();
        boolean gone = call(pool -> {
            try (RbdImage src = pool.openImageReadOnly(source, null)) {
                for (Snapshot s : src.listSnapshots()) {
                    java.util.regex.Matcher m = CLONE_SNAPSHOT.matcher(s.name());
                    if (m.matches() && !isVolume.test(m.group(1))) {
                        tmpIds.add(m.group(1));
                    }
                }
                return false;
            } catch (ImageNotFoundException e) {
                return true;
            }
        });
        if (gone) {
            return;
        }
        for (String tmpId : tmpIds) {
            LOG.info("interrupted backup of volume {}: removing its temporary clone {}", volumeId, imageName(tmpId));
            removeClone(source, imageName(tmpId), cloneSnapshotName(tmpId));
        }
    }

    private static final java.util.regex.Pattern CLONE_SNAPSHOT =
            java.util.regex.Pattern.compile("^volume-([0-9a-fA-F-]{36})\\.clone_snap$");

    /** On a fresh lease: the device's own connection may be the one that was lost. */
    private void removeClone(String source, String clone, String snap) throws IOException {
        call(pool -> {
            try {
                pool.removeImage(clone);
            } catch (ImageNotFoundException e) {
                // already gone
            }
            removeSnapshot(pool, source, snap);
            return null;
        });
        LOG.info("removed temporary clone {} and {}@{}", clone, source, snap);
    }

    private void removeSnapshot(String image, String snap) throws IOException {
        call(pool -> {
            removeSnapshot(pool, image, snap);
            return null;
        });
    }

    /** Removes {@code image@snap}, unprotecting it; a missing image or snapshot is not an error. */
    private static void removeSnapshot(Pool pool, String image, String snap) throws IOException {
        try (RbdImage img = pool.openImage(image)) {
            img.removeSnapshotIfExists(snap);
        } catch (ImageNotFoundException e) {
            // already gone
        }
    }

    /** Closes the connection; devices still open keep it until they are closed. */
    @Override
    public void close() {
        connection.close();
    }
}
