package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.Pool;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.driver.SiblingBackups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One backup: asks {@link BackupPlanner} what the pool and the source hold, then runs the plan,
 * a {@link RbdFullCopy} or a {@link RbdDifferential}.
 */
final class RbdBackup {

    private static final Logger LOG = LoggerFactory.getLogger(RbdBackup.class);

    private final RbdOptions options;
    private final BackupPools pools;
    private final RbdFullCopy fullCopy;
    private final RbdDifferential differential;

    RbdBackup(RbdOptions options, BackupPools pools, BaseHead heads) {
        this.options = options;
        this.pools = pools;
        this.fullCopy = new RbdFullCopy(options);
        this.differential = new RbdDifferential(options, heads);
    }

    /**
     * Backs up {@code source}; {@code siblings} says which source snapshots other projects' chains
     * still need (see {@link BackupPlanner}).
     */
    BackupOutcome run(BackupRef backup, BackupRef parent, SiblingBackups siblings, VolumeDevice source,
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
                fullCopy.run(backup, source, backups, f.image(), size, listener);
                if (rbd != null) {
                    Removal.removeSourceSnapshots(backup, rbd, f.removeFromSourceAfter());
                }
                return new BackupOutcome(container, null, 0, BackupOutcome.ParentLink.NONE);
            }
            BackupPlan.Differential d = (BackupPlan.Differential) plan;
            LOG.info("backup {} of volume {}: differential {} -> {} onto {}/{}{} ({})", backup.id(), backup.volumeId(),
                    d.fromSnap() == null ? "(nothing)" : d.fromSnap(), d.newSnap(), container, d.base(),
                    d.createBase() ? " (new base)" : "", d.reason());
            differential.run(backup, rbd, backups, d, listener);
            return new BackupOutcome(container, ServiceMetadata.of(d.base()), 0,
                    d.parentId() == null ? BackupOutcome.ParentLink.NONE : BackupOutcome.ParentLink.of(d.parentId()));
        } catch (Exception e) {
            throw RbdErrors.backupFailed("RBD backup of volume " + backup.volumeId() + " into pool " + container, e,
                    lease, source);
        }
    }
}
