package dev.ember.driver.rbd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ember.ceph.CephConnection;
import dev.ember.ceph.CephException;
import dev.ember.ceph.Extent;
import dev.ember.ceph.ImageBusyException;
import dev.ember.ceph.ImageHasSnapshotsException;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.ObjectNotFoundException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.PoolNotFoundException;
import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;
import dev.ember.config.Config;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.device.rbd.SourceKind;
import dev.ember.driver.BackupDriver;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.device.VolumeDevice;
import dev.ember.driver.SiblingBackups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;

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
 */
public final class RbdBackupDriver implements BackupDriver, AutoCloseable {

    public static final String SERVICE_NAME = "cinder.backup.drivers.ceph.CephBackupDriver";
    static final int METADATA_VERSION = 2;

    private static final Logger LOG = LoggerFactory.getLogger(RbdBackupDriver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Pool names Ember accepts as a container (Ceph itself is laxer; cinder passes the name to the CLI). */
    private static final Pattern POOL_NAME = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,126}$");
    /** Diff windows: extents are listed one window at a time to bound memory. */
    private static final long DIFF_WINDOW = 1L << 30;
    private static final int REMOVE_ATTEMPTS = 4;
    private static final long REMOVE_RETRY_MILLIS = 500;

    private final RbdOptions options;
    /** Every call leases it: a connection replaced after a lost session closes once its last call ends. */
    private final CephConnection connection;

    public RbdBackupDriver(RbdOptions options) {
        this.options = options;
        this.connection = CephConnection.of(options.conf(), options.user(), null, "the backup driver");
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

    // ------------------------------------------------------------------ backup ---

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
        String container = containerOf(backup);
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        CephConnection.Lease lease = lease();
        try (lease; Pool backups = openPool(lease, container)) {
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
                        options.layout(), Set.copyOf(backups.listImages()), snapshotNames(rbd.image()),
                        snapshotsOf(backups),
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
                    removeSourceSnapshots(backup, rbd, f.removeFromSourceAfter());
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
        } catch (BackupDriverException e) {
            noteFailure(lease, e, source);
            if (e.getSuppressed().length > 0 && !(e instanceof BackupDriverException.LeftoversRemain)) {
                throw new BackupDriverException.LeftoversRemain(e.getMessage(), e);
            }
            throw e;
        } catch (ProgressListener.Stop e) {
            // The listener's promise: a stopped backup is cleaned up like a failed one and says so.
            noteFailure(lease, e, source);
            throw new BackupDriverException.Cancelled(e.getMessage());
        } catch (Exception e) {
            noteFailure(lease, e, source);
            String message = "RBD backup of volume " + backup.volumeId() + " into pool " + container + " failed: "
                    + describe(e);
            // Suppressed exceptions are failed cleanup steps (see quietly): data of this backup remains.
            throw e.getSuppressed().length > 0 ? new BackupDriverException.LeftoversRemain(message, e)
                    : new BackupDriverException(message, e);
        }
    }

    private void fullCopy(BackupRef backup, VolumeDevice source, Pool backups, String image, long size,
                          ProgressListener progress) throws Exception {
        boolean created = false;
        boolean metaWritten = false;
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
            writeMeta(backups, backup);
            metaWritten = true;
        } catch (Exception e) {
            if (metaWritten) {
                quietly(e, () -> backups.removeObject(ImageNames.meta(backup.id())));
            }
            if (created) {
                quietly(e, () -> removeImage(backups, image));
            }
            throw e;
        }
    }

    private void differential(BackupRef backup, RbdDevice src, Pool backups, BackupPlan.Differential d,
                              ProgressListener progress) throws Exception {
        long t0 = System.nanoTime();
        long[] copied = {0, 0, 0};
        long copyNanos = 0;
        boolean createdBase = false;
        boolean sourceSnap = false;
        boolean baseSnap = false;
        boolean headTouched = false;
        boolean metaWritten = false;
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
            writeMeta(backups, backup);
            metaWritten = true;
        } catch (Exception e) {
            if (metaWritten) {
                quietly(e, () -> backups.removeObject(ImageNames.meta(backup.id())));
            }
            if (createdBase) {
                quietly(e, () -> removeImage(backups, d.base(), true));
            } else {
                if (baseSnap) {
                    quietly(e, () -> removeSnapshot(backups, d.base(), d.newSnap()));
                }
                if (headTouched) {
                    quietly(e, () -> revertHeadToNewest(backups, d.base()));
                }
            }
            if (sourceSnap) {
                quietly(e, () -> ignoreMissing(() -> src.image().removeSnapshot(d.newSnap())));
            }
            throw e;
        }
        removeSourceSnapshots(backup, src, d.removeFromSourceAfter());
        LOG.info("backup {} done in {} s: {} extents, {} MiB copied in {} s (listing the diff {} s)", backup.id(),
                String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - t0) / 1e9), copied[0],
                copied[1] >> 20, String.format(java.util.Locale.ROOT, "%.2f", copyNanos / 1e9),
                String.format(java.util.Locale.ROOT, "%.2f", copied[2] / 1e9));
    }

    /**
     * Writes what changed in {@code from} (a handle at the new snapshot) since {@code fromSnap}
     * (everything allocated when null) onto the head of {@code dst}, as import-diff does: data
     * extents are copied, extents that no longer exist are zeroed (exact discard).
     *
     * @param dstHasData false when {@code dst} is a new image: all-zero data is then skipped
     */
    private long[] copyChanges(RbdImage from, String fromSnap, RbdImage dst, long size, boolean dstHasData,
                               ProgressListener progress) throws IOException {
        long extents = 0;
        long listNanos = 0;
        try (BlockPipeline copy = new BlockPipeline(BlockPipeline.source(from), BlockPipeline.sink(dst),
                dstHasData ? BlockPipeline.Zeros.WRITE : BlockPipeline.Zeros.SKIP, options.ioSize(),
                options.inFlight())) {
            for (long off = 0; off < size; off += DIFF_WINDOW) {
                long len = Math.min(DIFF_WINDOW, size - off);
                long tl = System.nanoTime();
                List<Extent> window = merged(listDiff(from, fromSnap, off, len));
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
            return new long[] {extents, copy.bytesWritten(), listNanos};
        }
    }

    private static List<Extent> listDiff(RbdImage image, String fromSnap, long off, long len) throws IOException {
        List<Extent> out = new ArrayList<>();
        image.diff(fromSnap, off, len, false, out::add);
        return out;
    }

    /** Joins touching extents of the same kind (diffs report per object). */
    static List<Extent> merged(List<Extent> extents) {
        List<Extent> out = new ArrayList<>(extents.size());
        Extent cur = null;
        for (Extent e : extents) {
            if (cur != null && cur.exists() == e.exists() && cur.end() == e.offset()) {
                cur = new Extent(cur.offset(), cur.length() + e.length(), cur.exists());
            } else {
                if (cur != null) {
                    out.add(cur);
                }
                cur = e;
            }
        }
        if (cur != null) {
            out.add(cur);
        }
        return out;
    }

    /**
     * Puts the base's head back to its newest backup snapshot after a failed differential. The
     * head must be a state of the source at least as new as every snapshot on the base, since the
     * next differential (Ember's or cinder's import-diff) writes onto it from any of them.
     */
    private void revertHeadToNewest(Pool backups, String base) throws IOException {
        java.util.Optional<SourceSnapshot> newest = snapshotsOf(backups).apply(base).stream()
                .map(SourceSnapshot::parse).flatMap(java.util.Optional::stream)
                .sorted(SourceSnapshot.NEWEST_FIRST).findFirst();
        if (newest.isPresent()) {
            revertHead(backups, base, newest.get().name());
        }
    }

    /** Puts the base's head back to {@code snap}. */
    private void revertHead(Pool backups, String base, String snap) throws IOException {
        try (RbdImage head = backups.openImage(base);
             RbdImage at = backups.openImageReadOnly(base, snap)) {
            long size = at.size();
            if (head.size() != size) {
                head.resize(size);
            }
            // Every extent that differs (written or discarded since) takes the snapshot's bytes back.
            List<Extent> changed = head.diff(snap, false);
            try (BlockPipeline copy = new BlockPipeline(BlockPipeline.source(at), BlockPipeline.sink(head),
                    BlockPipeline.Zeros.ZERO, options.ioSize(), options.inFlight())) {
                for (Extent e : merged(changed.stream().map(x -> new Extent(x.offset(), x.length(), true)).toList())) {
                    copy.copy(e.offset(), e.length());
                }
                copy.finish();
            }
        }
    }

    private void writeMeta(Pool backups, BackupRef backup) throws IOException {
        backups.writeObject(ImageNames.meta(backup.id()), metadataJson(backup).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The {@code backup.<id>.meta} object: the volume metadata the manager gathered (cinder's
     * BackupMetadataAPI JSON, stored as it is), or when it gave none a version-2 container with
     * what the backup row knows.
     */
    static String metadataJson(BackupRef backup) {
        if (backup.volumeMeta() != null) {
            return backup.volumeMeta();
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", METADATA_VERSION);
        ObjectNode base = root.putObject("volume-base-metadata");
        base.put("id", backup.volumeId());
        base.put("display_name", backup.displayName());
        base.put("display_description", backup.displayDescription());
        return root.toString();
    }

    /**
     * Removes the source snapshots no later backup can start from, once the backup is complete; a
     * failure only leaves a snapshot behind (the next backup's rotation removes it).
     */
    private static void removeSourceSnapshots(BackupRef backup, RbdDevice src, List<String> names) {
        for (String name : names) {
            try {
                LOG.info("backup {}: removing backup snapshot {} from {}: no later backup starts from it", backup.id(),
                        name, src);
                ignoreMissing(() -> src.image().removeSnapshot(name));
            } catch (CephException e) {
                LOG.warn("backup {}: could not remove the snapshot {} from {}: {}", backup.id(), name, src,
                        e.getMessage());
            }
        }
    }

    // ----------------------------------------------------------------- restore ---

    /** cinder's _restore_metadata: the restored backup's {@code backup.<id>.meta} object, if any. */
    @Override
    public List<String> volumeMetadata(List<BackupRef> chain) throws BackupDriverException {
        if (chain == null || chain.isEmpty()) {
            return List.of();
        }
        BackupRef backup = chain.get(chain.size() - 1);
        String container = containerOf(backup);
        CephConnection.Lease lease = lease();
        try (lease; Pool backups = openPool(lease, container)) {
            String oid = ImageNames.meta(backup.id());
            if (!backups.objectExists(oid)) {
                return List.of();
            }
            return List.of(new String(backups.readObject(oid), StandardCharsets.UTF_8));
        } catch (BackupDriverException e) {
            noteFailure(lease, e, null);
            throw e;
        } catch (Exception e) {
            noteFailure(lease, e, null);
            throw new BackupDriverException("Reading the metadata object of backup " + backup.id() + " from pool "
                    + container + " failed: " + describe(e), e);
        }
    }

    @Override
    public void restore(List<BackupRef> chain, VolumeDevice target, BooleanSupplier cancelled)
            throws BackupDriverException {
        if (chain == null || chain.isEmpty()) {
            throw new BackupDriverException("nothing to restore: empty backup chain");
        }
        BackupRef backup = chain.get(chain.size() - 1);
        String container = containerOf(backup);
        BooleanSupplier stop = cancelled == null ? () -> false : cancelled;
        CephConnection.Lease lease = lease();
        try (lease; Pool backups = openPool(lease, container)) {
            RbdDevice rbd = target instanceof RbdDevice r ? r : null;
            boolean empty = rbd != null && isEmpty(rbd.image());
            RestorePlan plan = RestorePlanner.plan(new RestorePlanner.Inputs(backup.id(), backup.volumeId(),
                    backup.serviceMetadata(), Set.copyOf(backups.listImages()), snapshotsOf(backups), rbd != null,
                    empty, rbd == null ? null : rbd.volumeId()));
            if (plan instanceof RestorePlan.Missing m) {
                throw new BackupDriverException("Cannot restore backup " + backup.id() + " from pool " + container
                        + ": " + m.reason());
            }
            String image = plan instanceof RestorePlan.Differential d ? d.base() : ((RestorePlan.FullCopy) plan).image();
            String snap = plan instanceof RestorePlan.Differential d ? d.snapshot() : ((RestorePlan.FullCopy) plan).snapshot();
            LOG.info("restore of backup {}: {} copy from {}/{}{} to {}", backup.id(),
                    plan instanceof RestorePlan.Differential ? "differential" : "full", container, image,
                    snap == null ? "" : "@" + snap, target);
            try (RbdImage from = backups.openImageReadOnly(image, snap)) {
                long dataSize = from.size();
                long targetSize = target.size();
                if (targetSize < dataSize) {
                    throw new BackupDriverException("Cannot restore backup " + backup.id() + " (" + dataSize
                            + " bytes) onto " + target + " of " + targetSize + " bytes: the target volume is smaller"
                            + " than the backup");
                }
                if (plan instanceof RestorePlan.Differential) {
                    restoreAllocated(backup, from, target, dataSize, stop);
                } else {
                    restoreFull(backup, from, target, dataSize, targetSize, empty, stop);
                }
            }
        } catch (BackupDriverException e) {
            noteFailure(lease, e, target);
            throw e;
        } catch (Exception e) {
            noteFailure(lease, e, target);
            throw new BackupDriverException("RBD restore of backup " + backup.id() + " from pool " + container
                    + " failed: " + describe(e), e);
        }
    }

    /** Differential restore into an empty RBD target: only the allocated extents of the snapshot. */
    private void restoreAllocated(BackupRef backup, RbdImage from, VolumeDevice target, long dataSize,
                                  BooleanSupplier stop) throws IOException, BackupDriverException {
        try (BlockPipeline copy = new BlockPipeline(BlockPipeline.source(from), BlockPipeline.sink(target),
                BlockPipeline.Zeros.SKIP, options.ioSize(), options.inFlight())) {
            for (long off = 0; off < dataSize; off += DIFF_WINDOW) {
                checkCancelled(backup, stop);
                for (Extent e : merged(listDiff(from, null, off, Math.min(DIFF_WINDOW, dataSize - off)))) {
                    if (e.exists()) {
                        for (long p = e.offset(); p < e.end(); p += options.chunkSize()) {
                            copy.copy(p, Math.min(options.chunkSize(), e.end() - p));
                            checkCancelled(backup, stop);
                        }
                    }
                }
            }
            copy.finish();
        }
    }

    private void restoreFull(BackupRef backup, RbdImage from, VolumeDevice target, long dataSize, long targetSize,
                             boolean targetEmpty, BooleanSupplier stop) throws IOException, BackupDriverException {
        try (BlockPipeline copy = new BlockPipeline(BlockPipeline.source(from), BlockPipeline.sink(target),
                targetEmpty ? BlockPipeline.Zeros.SKIP : BlockPipeline.Zeros.ZERO, options.ioSize(),
                options.inFlight())) {
            for (long off = 0; off < dataSize; off += options.chunkSize()) {
                checkCancelled(backup, stop);
                copy.copy(off, Math.min(options.chunkSize(), dataSize - off));
            }
            copy.drain();
            if (targetSize > dataSize && options.discardExcessBytes() && !targetEmpty) {
                copy.zero(dataSize, targetSize - dataSize);
            }
            copy.finish();
        }
    }

    private static void checkCancelled(BackupRef backup, BooleanSupplier stop) throws BackupDriverException {
        if (stop.getAsBoolean()) {
            throw new BackupDriverException.Cancelled("restore of backup " + backup.id() + " was cancelled");
        }
    }

    /** True when the image has no allocated extent at all (a new volume). */
    static boolean isEmpty(RbdImage image) throws IOException {
        final class Found extends IOException {
            Found() {
                super("allocated");
            }
        }
        try {
            image.diff(null, 0, image.size(), true, e -> {
                if (e.exists()) {
                    throw new Found();
                }
            });
            return true;
        } catch (Found f) {
            return false;
        }
    }

    // ------------------------------------------------------------------ delete ---

    @Override
    public void delete(BackupRef backup) throws BackupDriverException {
        String container = backup.container() == null || backup.container().isBlank() ? options.pool()
                : backup.container();
        if (!POOL_NAME.matcher(container).matches()) {
            LOG.warn("delete of backup {}: container '{}' is not a pool name, nothing to remove", backup.id(), container);
            return;
        }
        try (CephConnection.Lease lease = lease()) {
            delete(backup, container, lease);
        }
    }

    private void delete(BackupRef backup, String container, CephConnection.Lease lease) throws BackupDriverException {
        Pool backups;
        try {
            backups = lease.cluster().openPool(container);
        } catch (PoolNotFoundException e) {
            LOG.warn("delete of backup {}: pool {} does not exist, nothing to remove", backup.id(), container);
            return;
        } catch (CephException e) {
            lease.noteFailure(e);
            throw new BackupDriverException("Cannot open backup pool " + container + ": " + describe(e), e);
        }
        try (backups) {
            Set<String> images = Set.copyOf(backups.listImages());
            DeletePlan plan = DeletePlanner.plan(backup.id(), backup.volumeId(), backup.serviceMetadata(), images,
                    snapshotsOf(backups));
            if (plan.image() == null) {
                LOG.warn("delete of backup {}: no image or snapshot found in pool {}", backup.id(), container);
                // A delete killed between removing the last snapshot and the base itself (resumed now).
                DeletePlanner.emptyBase(backup.volumeId(), images, snapshotsOf(backups))
                        .ifPresent(base -> removeEmptyBase(backups, base));
            } else {
                for (String snap : plan.snapshots()) {
                    removeSnapshot(backups, plan.image(), snap);
                }
                if (plan.removeImage()) {
                    removeImage(backups, plan.image(), false);
                }
            }
            ignoreMissing(() -> backups.removeObject(plan.metaObject()));
        } catch (BackupDriverException e) {
            noteFailure(lease, e, null);
            throw e;
        } catch (Exception e) {
            noteFailure(lease, e, null);
            throw new BackupDriverException("RBD delete of backup " + backup.id() + " in pool " + container
                    + " failed: " + describe(e), e);
        }
    }

    @Override
    public void cleanupInterrupted(BackupRef backup, SourceOpener opener) throws BackupDriverException {
        cleanup(backup, opener, true);
    }

    /** The same without settling base heads: a backup of the volume may be writing one right now. */
    @Override
    public void cleanupFailed(BackupRef backup, SourceOpener opener) throws BackupDriverException {
        cleanup(backup, opener, false);
    }

    private void cleanup(BackupRef backup, SourceOpener opener, boolean settleHeads) throws BackupDriverException {
        delete(backup);
        String container = containerOf(backup);
        VolumeDevice source = null;
        try {
            source = opener.open();
        } catch (IOException | RuntimeException e) {
            // The volume may be gone; its stale snapshot then goes with it or with the next backup's rotation.
            LOG.warn("interrupted backup {}: cannot open volume {} to remove its snapshot: {}", backup.id(),
                    backup.volumeId(), describe(e));
        }
        RbdDevice rbd = source instanceof RbdDevice r && r.kind() == SourceKind.LIVE_VOLUME ? r : null;
        CephConnection.Lease lease;
        try {
            lease = lease();
        } catch (BackupDriverException e) {
            closeQuietly(source);
            throw e;
        }
        try (VolumeDevice closing = source; lease; Pool backups = openPool(lease, container)) {
            InterruptedBackupPlan plan = InterruptedBackupPlanner.plan(backup.id(), backup.volumeId(),
                    rbd == null ? List.of() : snapshotNames(rbd.image()), Set.copyOf(backups.listImages()),
                    snapshotsOf(backups));
            for (String snap : plan.sourceSnapshots()) {
                LOG.info("interrupted backup {}: removing its snapshot {} from {}", backup.id(), snap, rbd);
                ignoreMissing(() -> rbd.image().removeSnapshot(snap));
            }
            for (String image : plan.removeImages()) {
                LOG.info("interrupted backup {}: removing the unfinished base {}/{}", backup.id(), container, image);
                removeImage(backups, image, false);
            }
            if (settleHeads) {
                for (var head : plan.settleHeads().entrySet()) {
                    settleHead(backups, head.getKey(), head.getValue());
                }
            }
        } catch (BackupDriverException e) {
            noteFailure(lease, e, source);
            throw e;
        } catch (Exception e) {
            noteFailure(lease, e, source);
            throw new BackupDriverException("Cleanup of interrupted RBD backup " + backup.id() + " in pool "
                    + container + " failed: " + describe(e), e);
        }
    }

    /** Puts a base's head back to {@code snap} when it differs (cheap to ask: bases have fast-diff). */
    private void settleHead(Pool backups, String base, String snap) throws IOException {
        boolean dirty;
        try (RbdImage head = backups.openImageReadOnly(base, null);
             RbdImage at = backups.openImageReadOnly(base, snap)) {
            dirty = head.size() != at.size() || !head.diff(snap, true).isEmpty();
        } catch (ImageNotFoundException e) {
            return;
        }
        if (dirty) {
            LOG.warn("head of base {}/{} was written since its newest snapshot {} (a differential cut short): putting it back",
                    backups.name(), base, snap);
            revertHead(backups, base, snap);
        }
    }

    private static void removeSnapshot(Pool pool, String image, String snap) throws CephException {
        try (RbdImage img = pool.openImage(image)) {
            img.removeSnapshotIfExists(snap);
        } catch (ImageNotFoundException e) {
            // gone already
        }
    }

    /**
     * Removes a base left without any backup snapshot; one that is open (a first backup is filling
     * it right now and has not snapshotted it yet) or has gained a snapshot is kept.
     */
    private static void removeEmptyBase(Pool pool, String base) {
        try {
            pool.removeImage(base);
            LOG.info("removed {}/{}: a base without backup snapshots", pool.name(), base);
        } catch (ImageNotFoundException e) {
            // gone already
        } catch (CephException e) {
            LOG.info("kept {}/{} without backup snapshots: {}", pool.name(), base, e.getMessage());
        }
    }

    private void removeImage(Pool pool, String image) throws IOException, BackupDriverException {
        removeImage(pool, image, true);
    }

    /**
     * Removes an image, retrying while it is busy (a watcher that is going away). When it still
     * has snapshots: {@code withSnapshots} removes them first (our own failed backup); otherwise a
     * backup snapshot taken meanwhile keeps the image, and anything else is an error.
     */
    private void removeImage(Pool pool, String image, boolean withSnapshots) throws IOException, BackupDriverException {
        for (int attempt = 1; ; attempt++) {
            try {
                if (withSnapshots) {
                    try (RbdImage img = pool.openImage(image)) {
                        img.removeAllSnapshots();
                    }
                }
                pool.removeImage(image);
                return;
            } catch (ImageNotFoundException e) {
                return;
            } catch (ImageBusyException e) {
                if (attempt >= REMOVE_ATTEMPTS) {
                    throw new BackupDriverException("Image " + pool.name() + "/" + image + " is still in use after "
                            + attempt + " attempts to remove it: " + e.getMessage(), e);
                }
                sleep(REMOVE_RETRY_MILLIS);
            } catch (ImageHasSnapshotsException e) {
                List<String> left = snapshotsOf(pool).apply(image);
                if (left.stream().anyMatch(n -> SourceSnapshot.parse(n).isPresent())) {
                    LOG.info("image {}/{} kept: it holds backup snapshots taken meanwhile {}", pool.name(), image, left);
                    return;
                }
                throw new BackupDriverException("Image " + pool.name() + "/" + image
                        + " cannot be removed: it has snapshots that are not backup snapshots: " + left, e);
            }
        }
    }

    private static void sleep(long millis) throws BackupDriverException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupDriverException("interrupted");
        }
    }

    // ----------------------------------------------------------------- helpers ---

    private String containerOf(BackupRef backup) throws BackupDriverException {
        String container = backup.container() == null || backup.container().isBlank() ? options.pool()
                : backup.container();
        if (!POOL_NAME.matcher(container).matches()) {
            throw new BackupDriverException("Invalid container '" + container + "' for the Ceph backup driver: the "
                    + "container is the name of a Ceph pool (letters, digits, '_', '-', '.')");
        }
        return container;
    }

    private Pool openPool(CephConnection.Lease lease, String name) throws BackupDriverException {
        try {
            return lease.cluster().openPool(name);
        } catch (PoolNotFoundException e) {
            throw new BackupDriverException("Backup pool '" + name + "' does not exist in the Ceph cluster of "
                    + options.conf());
        } catch (CephException e) {
            throw new BackupDriverException("Cannot open backup pool '" + name + "': " + describe(e), e);
        }
    }

    /** The connection for one call, (re)connecting when there is none or the last one lost its session. */
    private CephConnection.Lease lease() throws BackupDriverException {
        try {
            return connection.lease();
        } catch (CephException e) {
            throw new BackupDriverException("Cannot connect to Ceph as client." + options.user() + " with "
                    + options.conf() + ": " + describe(e), e);
        }
    }

    /** The driver's Ceph connection (for monitoring and tests). */
    public CephConnection connection() {
        return connection;
    }

    static List<String> snapshotNames(RbdImage image) throws CephException {
        return image.listSnapshots().stream().map(Snapshot::name).toList();
    }

    /** Snapshot names of an image of the pool (empty when it is gone), for the planners. */
    private static Function<String, List<String>> snapshotsOf(Pool pool) {
        return image -> {
            try (RbdImage img = pool.openImageReadOnly(image, null)) {
                return snapshotNames(img);
            } catch (ImageNotFoundException e) {
                return List.of();
            } catch (CephException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private interface CephCall {
        void run() throws CephException;
    }

    private interface Cleanup {
        void run() throws Exception;
    }

    private static void ignoreMissing(CephCall call) throws CephException {
        try {
            call.run();
        } catch (ImageNotFoundException | ObjectNotFoundException e) {
            // already gone
        }
    }

    private static void quietly(Exception failure, Cleanup cleanup) {
        try {
            cleanup.run();
        } catch (Exception e) {
            LOG.warn("cleanup after a failed RBD operation failed: {}", e.getMessage());
            failure.addSuppressed(e);
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        if (e instanceof CephException c) {
            // What went wrong first: fail_reason holds 255 characters and image names are long.
            return c.reason() + " in " + c.call() + "(" + c.target() + ")";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * Closes the cluster connection (pools and images are closed after each call anyway); a call
     * still running keeps it open until it ends.
     */
    @Override
    public void close() {
        connection.close();
    }

    /**
     * A failure that shows a lost session retires the connection it happened on (see
     * CephCluster#markLostIf): the lease's, and an RBD source's or target's own.
     */
    private static void noteFailure(CephConnection.Lease lease, Throwable failure, VolumeDevice device) {
        lease.noteFailure(failure);
        if (device instanceof RbdDevice rbd) {
            rbd.pool().cluster().markLostIf(failure);
        }
    }

    private static void closeQuietly(VolumeDevice device) {
        if (device != null) {
            try {
                device.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing {} failed: {}", device, e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "RbdBackupDriver[" + options.user() + "@" + options.conf() + ", pool " + options.pool() + ", "
                + options.layout() + "]";
    }
}
