package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.CephException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.PoolNotFoundException;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Deleting a backup, as {@link DeletePlanner} says: its snapshot from the base (the base too once
 * no backup snapshot is left on it), or its own image, then its metadata object. A pool, image or
 * snapshot that is not there is nothing to remove, so a delete cut short can run again.
 */
final class RbdDelete {

    private static final Logger LOG = LoggerFactory.getLogger(RbdDelete.class);

    private final BackupPools pools;

    RbdDelete(BackupPools pools) {
        this.pools = pools;
    }

    void run(BackupRef backup) throws BackupDriverException {
        String container = pools.containerName(backup);
        if (!BackupPools.isPoolName(container)) {
            LOG.warn("delete of backup {}: container '{}' is not a pool name, nothing to remove", backup.id(), container);
            return;
        }
        try (CephConnection.Lease lease = pools.lease()) {
            run(backup, container, lease);
        }
    }

    private void run(BackupRef backup, String container, CephConnection.Lease lease) throws BackupDriverException {
        Pool backups;
        try {
            backups = lease.cluster().openPool(container);
        } catch (PoolNotFoundException e) {
            LOG.warn("delete of backup {}: pool {} does not exist, nothing to remove", backup.id(), container);
            return;
        } catch (CephException e) {
            lease.noteFailure(e);
            throw new BackupDriverException("Cannot open backup pool " + container + ": " + RbdErrors.describe(e), e);
        }
        try (backups) {
            Set<String> images = Set.copyOf(backups.listImages());
            DeletePlan plan = DeletePlanner.plan(backup.id(), backup.volumeId(), backup.serviceMetadata(), images,
                    ImageSnapshots.in(backups));
            if (plan.image() == null) {
                LOG.warn("delete of backup {}: no image or snapshot found in pool {}", backup.id(), container);
                // A delete killed between removing the last snapshot and the base itself (resumed now).
                DeletePlanner.emptyBase(backup.volumeId(), images, ImageSnapshots.in(backups))
                        .ifPresent(base -> Removal.removeEmptyBase(backups, base));
            } else {
                for (String snap : plan.snapshots()) {
                    Removal.removeSnapshot(backups, plan.image(), snap);
                }
                if (plan.removeImage()) {
                    Removal.removeImage(backups, plan.image(), false);
                }
            }
            Removal.ignoreMissing(() -> backups.removeObject(plan.metaObject()));
        } catch (Exception e) {
            throw RbdErrors.failed("RBD delete of backup " + backup.id() + " in pool " + container, e, lease, null);
        }
    }
}
