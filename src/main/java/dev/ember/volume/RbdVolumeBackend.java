package dev.ember.volume;

import dev.ember.ceph.CephCluster;
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

/**
 * Volumes as RBD images {@code <rbd_pool>/volume-<id>}, the Ceph profile's stand-in for
 * cinder-volume's RBD driver: cinder snapshots are RBD snapshots {@code snapshot-<id>}, and an
 * in-use volume is backed up from a temporary clone, as the generic {@code get_backup_device}
 * path of cinder's volume manager does (mechanism M1 of the seed lab: the snapshot
 * {@code volume-<tmp>.clone_snap} appears on the source for the duration of the backup).
 *
 * <p>One cluster connection and one pool context, opened at construction and shared by all
 * threads (librados/librbd are thread-safe). Every method blocks.
 */
public final class RbdVolumeBackend implements VolumeBackend, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RbdVolumeBackend.class);

    private final Path confFile;
    private final String user;
    private final String poolName;
    private CephCluster cluster;
    private Pool pool;
    /** Connections replaced after a lost session: calls may still be finishing on them; closed with this. */
    private final List<CephCluster> retired = new ArrayList<>();

    private RbdVolumeBackend(Path confFile, String user, String poolName) {
        this.confFile = confFile;
        this.user = user;
        this.poolName = poolName;
    }

    /** Connects as {@code user} with {@code confFile} and opens {@code poolName}. */
    public static RbdVolumeBackend connect(Path confFile, String user, String poolName) throws CephException {
        RbdVolumeBackend backend = new RbdVolumeBackend(confFile, user, poolName);
        backend.pool();
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

    /**
     * The volumes pool, on a new connection when the current one lost its session (an operation
     * timed out or the client was blocklisted; see {@link CephCluster#markLostIf}).
     */
    public synchronized Pool pool() throws CephException {
        if (cluster != null && cluster.isLost()) {
            LOG.warn("replacing the Ceph connection of the volume backend after a lost session");
            retired.add(cluster);
            cluster = null;
            pool = null;
        }
        if (cluster == null) {
            CephCluster c = CephCluster.connect(confFile, user);
            try {
                pool = c.openPool(poolName);
            } catch (CephException | RuntimeException e) {
                c.close();
                throw e;
            }
            cluster = c;
        }
        return pool;
    }

    private interface Call<T> {
        T run(Pool pool) throws IOException;
    }

    /** Runs {@code call} on the current pool; a failure showing a lost session retires the connection. */
    private <T> T call(Call<T> call) throws IOException {
        Pool p = pool();
        try {
            return call.run(p);
        } catch (IOException | RuntimeException e) {
            p.cluster().markLostIf(e);
            throw e;
        }
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
        Pool pool = pool();
        String name = imageName(volumeId);
        try (RbdImage img = pool.openImage(name)) {
            for (Snapshot s : img.listSnapshots()) {
                if (s.name().startsWith("backup.")) {
                    img.removeSnapshot(s.name());
                }
            }
        } catch (ImageNotFoundException e) {
            return;
        }
        try {
            pool.removeImage(name);
        } catch (ImageNotFoundException e) {
            // removed concurrently
        }
    }

    @Override
    public VolumeDevice open(String volumeId, boolean writable) throws IOException {
        return call(pool -> {
            String name = imageName(volumeId);
            // Read-write even for reads: the RBD backup driver snapshots the live source image.
            RbdImage img = pool.openImage(name);
            return new RbdDevice(pool, name, volumeId, SourceKind.LIVE_VOLUME, img, null);
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
    public boolean supportsSnapshots() {
        return true;
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
        return call(pool -> {
            String name = imageName(volume.id());
            if (snapshotId != null) {
                RbdImage img = pool.openImageReadOnly(name, snapshotName(snapshotId));
                return new RbdDevice(pool, name, volume.id(), SourceKind.CINDER_SNAPSHOT, img, null);
            }
            if ("in-use".equals(volume.previousStatus())) {
                return openTemporaryClone(volume.id());
            }
            return open(volume.id(), false);
        });
    }

    /**
     * Cinder's {@code _create_temp_cloned_volume} with the RBD driver's {@code create_cloned_volume}:
     * snapshot {@code volume-<tmp>.clone_snap} on the source, protect it, clone it to
     * {@code volume-<tmp>}. Closing the device removes the clone, then unprotects and removes the
     * snapshot, so the source is left as it was.
     */
    RbdDevice openTemporaryClone(String volumeId) throws IOException {
        Pool pool = pool();
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
                () -> removeClone(source, clone, snap));
    }

    /**
     * A backup killed while it read a temporary clone leaves {@code volume-<tmp>} and its
     * protected snapshot {@code volume-<tmp>.clone_snap} on the source; {@code <tmp>} is no volume.
     */
    @Override
    public void releaseInterruptedBackupSource(String volumeId, java.util.function.Predicate<String> isVolume)
            throws IOException {
        String source = imageName(volumeId);
        List<String> tmpIds = new ArrayList<>();
        try (RbdImage src = pool().openImageReadOnly(source, null)) {
            for (Snapshot s : src.listSnapshots()) {
                java.util.regex.Matcher m = CLONE_SNAPSHOT.matcher(s.name());
                if (m.matches() && !isVolume.test(m.group(1))) {
                    tmpIds.add(m.group(1));
                }
            }
        } catch (ImageNotFoundException e) {
            return;
        }
        for (String tmpId : tmpIds) {
            LOG.info("interrupted backup of volume {}: removing its temporary clone {}", volumeId, imageName(tmpId));
            removeClone(source, imageName(tmpId), cloneSnapshotName(tmpId));
        }
    }

    private static final java.util.regex.Pattern CLONE_SNAPSHOT =
            java.util.regex.Pattern.compile("^volume-([0-9a-fA-F-]{36})\\.clone_snap$");

    private void removeClone(String source, String clone, String snap) throws IOException {
        Pool pool = pool();
        try {
            pool.removeImage(clone);
        } catch (ImageNotFoundException e) {
            // already gone
        }
        removeSnapshot(source, snap);
        LOG.info("removed temporary clone {} and {}@{}", clone, source, snap);
    }

    /** Removes {@code image@snap}, unprotecting it; a missing image or snapshot is not an error. */
    private void removeSnapshot(String image, String snap) throws IOException {
        try (RbdImage img = pool().openImage(image)) {
            img.removeSnapshotIfExists(snap);
        } catch (ImageNotFoundException e) {
            // already gone
        }
    }

    @Override
    public synchronized void close() {
        if (cluster != null) {
            cluster.close();
        }
        retired.forEach(CephCluster::close);
        retired.clear();
    }
}
