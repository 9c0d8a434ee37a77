package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.Extent;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.config.Config;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupDriver;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.driver.SiblingBackups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static dev.ember.driver.rbd.RbdErrors.quietly;

/**
 * cinder's Ceph backup driver ({@code cinder.backup.drivers.ceph.CephBackupDriver}) on librbd,
 * without the {@code rbd export-diff | rbd import-diff} pipe: differential backups copy the
 * extents that changed between two source snapshots straight into the base image
 * (asynchronous reads and writes, a bounded number in flight) and then snapshot the base under
 * the same name, which is exactly what the pipe leaves behind.
 *
 * <p>Layouts ({@code ember_ceph_backup_layout}): {@code single_base} (default) follows the legacy
 * rules the seed lab shows ({@link BackupPlanner}); {@code per_chain} writes what cinder Train+
 * writes. Restores and deletes read both, including cinder's {@code {"base": ...}} service
 * metadata. Everything blocks: call from worker threads only.
 *
 * <p>Restore, delete and cleanup live in their own classes ({@link RbdRestore}, {@link RbdDelete},
 * {@link RbdCleanup}) over one connection ({@link BackupPools}).
 */
public final class RbdBackupDriver implements BackupDriver, AutoCloseable {

    public static final String SERVICE_NAME = "cinder.backup.drivers.ceph.CephBackupDriver";

    private static final Logger LOG = LoggerFactory.getLogger(RbdBackupDriver.class);

    private final RbdOptions options;
    private final BackupPools pools;
    private final BaseHead heads;
    private final RbdRestore restore;
    private final RbdDelete delete;
    private final RbdCleanup cleanup;

    public RbdBackupDriver(RbdOptions options) {
        this.options = options;
        this.pools = new BackupPools(options);
        this.heads = new BaseHead(options);
        this.restore = new RbdRestore(options, pools);
        this.delete = new RbdDelete(pools);
        this.cleanup = new RbdCleanup(pools, delete, heads);
    }

    /** The factory {@code Drivers} calls for {@code backup_driver = cinder.backup.drivers.ceph.CephBackupDriver}. */
    public static RbdBackupDriver create(Config config) {
        return new RbdBackupDriver(RbdOptions.fromConfig(config));
    }

    public RbdOptions options() {
        return options;
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public boolean supportsForceDelete() {
        return false;
    }

    @Override
    public BackupOutcome backup(BackupRef backup, BackupRef parent, VolumeDevice source, ProgressListener progress)
            throws BackupDriverException {
        return backup(backup, parent, SiblingBackups.ONE_PROJECT, source, progress);
    }

    /**
     * Backs up {@code source}; {@code siblings} says which source snapshots other projects' chains
     * still need (see {@link BackupPlanner}).
     */
    @Override
    public BackupOutcome backup(BackupRef backup, BackupRef parent, SiblingBackups siblings, VolumeDevice source,
                                ProgressListener progress) throws BackupDriverException {
        String container = pools.container(backup);
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        CephConnection.Lease lease = pools.lease();
        try (lease; Pool backups = pools.open(lease, container)) {
            String meta = ImageNames.meta(backup.id());
            if (backups.objectExists(meta)) {
                throw new BackupDriverException("Failed to backup volume metadata - Metadata backup object '" + meta
                        + "' already exists in pool " + container);
            }
            long size = source.size();
            if (size <= 0) {
                throw new BackupDriverException("Need non-zero volume size to back up " + source);
            }
            BackupPlan plan;
            RbdDevice rbd = source instanceof RbdDevice r ? r : null;
            if (rbd != null) {
                plan = BackupPlanner.plan(new BackupPlanner.Inputs(backup.id(), backup.volumeId(), rbd.kind(),
                        options.layout(), Set.copyOf(backups.listImages()), ImageSnapshots.names(rbd.image()),
                        ImageSnapshots.in(backups),
                        parent == null ? null : new BackupPlanner.Parent(parent.id(), parent.serviceMetadata()),
                        SourceSnapshot.forBackup(backup.id(), Instant.now()), siblings));
            } else {
                plan = new BackupPlan.FullCopy(ImageNames.perBackup(backup.volumeId(), backup.id()), List.of(),
                        "the source is not an RBD image");
            }
            if (plan instanceof BackupPlan.FullCopy f) {
                LOG.info("backup {} of volume {}: full copy into {}/{} ({})", backup.id(), backup.volumeId(),
                        container, f.image(), f.reason());
                fullCopy(backup, source, backups, f.image(), size, listener);
                if (rbd != null) {
                    Removal.removeSourceSnapshots(backup, rbd, f.removeFromSourceAfter());
                }
                return new BackupOutcome(container, null, 0, BackupOutcome.ParentLink.NONE);
            }
            BackupPlan.Differential d = (BackupPlan.Differential) plan;
            LOG.info("backup {} of volume {}: differential {} -> {} onto {}/{}{} ({})", backup.id(), backup.volumeId(),
                    d.fromSnap() == null ? "(nothing)" : d.fromSnap(), d.newSnap(), container, d.base(),
                    d.createBase() ? " (new base)" : "", d.reason());
            differential(backup, rbd, backups, d, listener);
            return new BackupOutcome(container, ServiceMetadata.of(d.base()), 0,
                    d.parentId() == null ? BackupOutcome.ParentLink.NONE : BackupOutcome.ParentLink.of(d.parentId()));
        } catch (Exception e) {
            throw RbdErrors.backupFailed("RBD backup of volume " + backup.volumeId() + " into pool " + container, e,
                    lease, source);
        }
    }

    private void fullCopy(BackupRef backup, VolumeDevice source, Pool backups, String image, long size, ProgressListener progress)
            throws Exception {
        boolean created = false;
        try {
            backups.createImage(image, size, options.imageOptions());
            created = true;
            try (RbdImage dst = backups.openImage(image);
                 BlockPipeline copy = new BlockPipeline(BlockPipeline.source(source), BlockPipeline.sink(dst),
                         BlockPipeline.Zeros.SKIP, options.ioSize(), options.inFlight())) {
                for (long off = 0; off < size; off += options.chunkSize()) {
                    copy.copy(off, Math.min(options.chunkSize(), size - off));
                    progress.progress(Math.min(size, off + options.chunkSize()));
                }
                copy.finish();
            }
            MetaObject.write(backups, backup);
        } catch (Exception e) {
            if (created) {
                quietly(e, () -> Removal.removeImage(backups, image, true));
            }
            throw e;
        }
    }

    private void differential(BackupRef backup, RbdDevice src, Pool backups, BackupPlan.Differential d, ProgressListener progress)
            throws Exception {
        long t0 = System.nanoTime();
        Copied copied = new Copied(0, 0, 0);
        long copyNanos = 0;
        boolean createdBase = false;
        boolean sourceSnap = false;
        boolean baseSnap = false;
        boolean headTouched = false;
        try {
            long size = src.image().size();
            if (d.createBase()) {
                backups.createImage(d.base(), size, options.imageOptions());
                createdBase = true;
            }
            src.image().createSnapshot(d.newSnap());
            sourceSnap = true;
            try (RbdImage from = src.pool().openImageReadOnly(src.imageName(), d.newSnap());
                 RbdImage base = backups.openImage(d.base())) {
                if (d.fromSnap() != null && !base.snapshotExists(d.fromSnap())) {
                    throw new BackupDriverException("Can't find snapshot " + d.fromSnap() + " on base image "
                            + backups.name() + "/" + d.base());
                }
                long snapSize = from.size();
                headTouched = true;
                if (base.size() != snapSize) {
                    base.resize(snapSize); // import-diff applies the diff's image size first
                }
                long tc = System.nanoTime();
                copied = copyChanges(from, d.fromSnap(), base, snapSize, !createdBase, progress);
                copyNanos = System.nanoTime() - tc;
                base.createSnapshot(d.newSnap());
                baseSnap = true;
            }
            MetaObject.write(backups, backup);
        } catch (Exception e) {
            if (createdBase) {
                quietly(e, () -> Removal.removeImage(backups, d.base(), true));
            } else {
                if (baseSnap) {
                    quietly(e, () -> Removal.removeSnapshot(backups, d.base(), d.newSnap()));
                }
                if (headTouched) {
                    quietly(e, () -> heads.revertToNewest(backups, d.base()));
                }
            }
            if (sourceSnap) {
                quietly(e, () -> Removal.ignoreMissing(() -> src.image().removeSnapshot(d.newSnap())));
            }
            throw e;
        }
        Removal.removeSourceSnapshots(backup, src, d.removeFromSourceAfter());
        LOG.info("backup {} done in {} s: {} extents, {} MiB copied in {} s (listing the diff {} s)", backup.id(),
                seconds(System.nanoTime() - t0), copied.extents(), copied.bytes() >> 20, seconds(copyNanos),
                seconds(copied.listNanos()));
    }

    /** What a copy of changes did, for the log line. */
    private record Copied(long extents, long bytes, long listNanos) {
    }

    /**
     * Writes what changed in {@code from} (a handle at the new snapshot) since {@code fromSnap}
     * (everything allocated when null) onto the head of {@code dst}, as import-diff does: data
     * extents are copied, extents that no longer exist are zeroed (exact discard).
     *
     * @param dstHasData false when {@code dst} is a new image: all-zero data is then skipped
     */
    private Copied copyChanges(RbdImage from, String fromSnap, RbdImage dst, long size, boolean dstHasData,
                               ProgressListener progress) throws IOException {
        long extents = 0;
        long listNanos = 0;
        try (BlockPipeline copy = new BlockPipeline(BlockPipeline.source(from), BlockPipeline.sink(dst),
                dstHasData ? BlockPipeline.Zeros.WRITE : BlockPipeline.Zeros.SKIP, options.ioSize(),
                options.inFlight())) {
            for (long off = 0; off < size; off += Diffs.WINDOW) {
                long len = Math.min(Diffs.WINDOW, size - off);
                long tl = System.nanoTime();
                List<Extent> window = Diffs.merged(Diffs.list(from, fromSnap, off, len));
                listNanos += System.nanoTime() - tl;
                for (Extent e : window) {
                    extents++;
                    if (e.exists()) {
                        copy.copy(e.offset(), e.length());
                    } else if (dstHasData) {
                        copy.zero(e.offset(), e.length());
                    }
                }
                progress.progress(off + len);
            }
            copy.finish();
            return new Copied(extents, copy.bytesWritten(), listNanos);
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e9);
    }

    /** cinder's _restore_metadata: the restored backup's {@code backup.<id>.meta} object, if any. */
    @Override
    public List<String> volumeMetadata(List<BackupRef> chain) throws BackupDriverException {
        return restore.volumeMetadata(chain);
    }

    @Override
    public void restore(List<BackupRef> chain, VolumeDevice target, BooleanSupplier cancelled)
            throws BackupDriverException {
        restore.run(chain, target, cancelled);
    }

    @Override
    public void delete(BackupRef backup) throws BackupDriverException {
        delete.run(backup);
    }

    @Override
    public void cleanupInterrupted(BackupRef backup, SourceOpener opener) throws BackupDriverException {
        cleanup.run(backup, opener, true);
    }

    /** The same without settling base heads: a backup of the volume may be writing one right now. */
    @Override
    public void cleanupFailed(BackupRef backup, SourceOpener opener) throws BackupDriverException {
        cleanup.run(backup, opener, false);
    }

    /** The driver's Ceph connection (for monitoring and tests). */
    public CephConnection connection() {
        return pools.connection();
    }

    /**
     * Closes the cluster connection (pools and images are closed after each call anyway); a call
     * still running keeps it open until it ends.
     */
    @Override
    public void close() {
        pools.close();
    }

    @Override
    public String toString() {
        return "RbdBackupDriver[" + options.user() + "@" + options.conf() + ", pool " + options.pool() + ", "
                + options.layout() + "]";
    }
}
