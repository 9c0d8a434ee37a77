package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.Pool;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.device.rbd.SourceKind;
import dev.ember.driver.BackupDriver.SourceOpener;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Cleaning up after a backup that did not finish (cut short by the death of the service, or failed
 * with leftovers), as {@link InterruptedBackupPlanner} says: the backup is deleted, then its
 * snapshot leaves the source volume, a base it was creating goes, and (in the startup cleanup,
 * when no backup can be writing one) base heads it left part-written are settled.
 */
final class RbdCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(RbdCleanup.class);

    private final BackupPools pools;
    private final RbdDelete delete;
    private final BaseHead heads;

    RbdCleanup(BackupPools pools, RbdDelete delete, BaseHead heads) {
        this.pools = pools;
        this.delete = delete;
        this.heads = heads;
    }

    /** {@code settleHeads} false: a backup of the volume may be writing a base head right now. */
    void run(BackupRef backup, SourceOpener opener, boolean settleHeads) throws BackupDriverException {
        delete.run(backup);
        String container = pools.container(backup);
        VolumeDevice source = null;
        try {
            source = opener.open();
        } catch (IOException | RuntimeException e) {
            // The volume may be gone; its stale snapshot then goes with it or with the next backup's rotation.
            LOG.warn("interrupted backup {}: cannot open volume {} to remove its snapshot: {}", backup.id(),
                    backup.volumeId(), RbdErrors.describe(e));
        }
        RbdDevice rbd = source instanceof RbdDevice r && r.kind() == SourceKind.LIVE_VOLUME ? r : null;
        CephConnection.Lease lease;
        try {
            lease = pools.lease();
        } catch (BackupDriverException e) {
            closeQuietly(source);
            throw e;
        }
        try (VolumeDevice closing = source; lease; Pool backups = pools.open(lease, container)) {
            InterruptedBackupPlan plan = InterruptedBackupPlanner.plan(backup.id(), backup.volumeId(),
                    rbd == null ? List.of() : ImageSnapshots.names(rbd.image()), Set.copyOf(backups.listImages()),
                    ImageSnapshots.in(backups));
            for (String snap : plan.sourceSnapshots()) {
                LOG.info("interrupted backup {}: removing its snapshot {} from {}", backup.id(), snap, rbd);
                Removal.ignoreMissing(() -> rbd.image().removeSnapshot(snap));
            }
            for (String image : plan.removeImages()) {
                LOG.info("interrupted backup {}: removing the unfinished base {}/{}", backup.id(), container, image);
                Removal.removeImage(backups, image, false);
            }
            if (settleHeads) {
                for (var head : plan.settleHeads().entrySet()) {
                    heads.settle(backups, head.getKey(), head.getValue());
                }
            }
        } catch (Exception e) {
            throw RbdErrors.failed("Cleanup of interrupted RBD backup " + backup.id() + " in pool " + container, e,
                    lease, source);
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
}
