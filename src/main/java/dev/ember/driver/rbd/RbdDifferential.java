package dev.ember.driver.rbd;

import dev.ember.ceph.Extent;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import static dev.ember.driver.rbd.RbdErrors.quietly;

/**
 * A differential backup, what {@code rbd export-diff | rbd import-diff} leaves behind: a new
 * source snapshot, the extents that changed since the previous one copied onto the head of the
 * base (a new base when the plan says so), the base snapshotted under the same name, then the
 * metadata object. On failure every step taken is undone: the base's head goes back to its newest
 * snapshot, since the next differential writes onto it.
 */
final class RbdDifferential {

    private static final Logger LOG = LoggerFactory.getLogger(RbdDifferential.class);

    private final RbdOptions options;
    private final BaseHead heads;

    RbdDifferential(RbdOptions options, BaseHead heads) {
        this.options = options;
        this.heads = heads;
    }

    void run(BackupRef backup, RbdDevice src, Pool backups, BackupPlan.Differential d, ProgressListener progress)
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
}
