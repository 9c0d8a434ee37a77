package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.Extent;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Restoring a backup into a device, as {@link RestorePlanner} says: a differential restore into an
 * empty RBD volume copies only the allocated extents of the backup's snapshot, anything else the
 * whole image. Also reads the backup's metadata object back (cinder's _restore_metadata).
 */
final class RbdRestore {

    private static final Logger LOG = LoggerFactory.getLogger(RbdRestore.class);

    private final RbdOptions options;
    private final BackupPools pools;

    RbdRestore(RbdOptions options, BackupPools pools) {
        this.options = options;
        this.pools = pools;
    }

    /** cinder's _restore_metadata: the restored backup's {@code backup.<id>.meta} object, if any. */
    List<String> volumeMetadata(List<BackupRef> chain) throws BackupDriverException {
        if (chain == null || chain.isEmpty()) {
            return List.of();
        }
        BackupRef backup = chain.get(chain.size() - 1);
        String container = pools.container(backup);
        CephConnection.Lease lease = pools.lease();
        try (lease; Pool backups = pools.open(lease, container)) {
            return MetaObject.read(backups, backup.id()).stream().toList();
        } catch (Exception e) {
            throw RbdErrors.failed("Reading the metadata object of backup " + backup.id() + " from pool " + container,
                    e, lease, null);
        }
    }

    void run(List<BackupRef> chain, VolumeDevice target, BooleanSupplier cancelled) throws BackupDriverException {
        if (chain == null || chain.isEmpty()) {
            throw new BackupDriverException("nothing to restore: empty backup chain");
        }
        BackupRef backup = chain.get(chain.size() - 1);
        String container = pools.container(backup);
        BooleanSupplier stop = cancelled == null ? () -> false : cancelled;
        CephConnection.Lease lease = pools.lease();
        try (lease; Pool backups = pools.open(lease, container)) {
            RbdDevice rbd = target instanceof RbdDevice r ? r : null;
            boolean empty = rbd != null && Diffs.isEmpty(rbd.image());
            RestorePlan plan = RestorePlanner.plan(new RestorePlanner.Inputs(backup.id(), backup.volumeId(),
                    backup.serviceMetadata(), Set.copyOf(backups.listImages()), ImageSnapshots.in(backups),
                    rbd != null, empty, rbd == null ? null : rbd.volumeId()));
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
        } catch (Exception e) {
            throw RbdErrors.failed("RBD restore of backup " + backup.id() + " from pool " + container, e, lease,
                    target);
        }
    }

    /** Differential restore into an empty RBD target: only the allocated extents of the snapshot. */
    private void restoreAllocated(BackupRef backup, RbdImage from, VolumeDevice target, long dataSize,
                                  BooleanSupplier stop) throws IOException, BackupDriverException {
        try (BlockPipeline copy = new BlockPipeline(BlockPipeline.source(from), BlockPipeline.sink(target),
                BlockPipeline.Zeros.SKIP, options.ioSize(), options.inFlight())) {
            for (long off = 0; off < dataSize; off += Diffs.WINDOW) {
                checkCancelled(backup, stop);
                for (Extent e : Diffs.merged(Diffs.list(from, null, off, Math.min(Diffs.WINDOW, dataSize - off)))) {
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
}
