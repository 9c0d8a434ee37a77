package dev.ember.backup;

import dev.ember.model.Backup;
import dev.ember.model.BackupLifecycle;
import dev.ember.model.BackupStatus;
import dev.ember.model.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * cinder's _cleanup_incomplete_backup_operations for this host: work that was in flight when
 * the process died is put into a defined state. A creation is failed after its partial data and
 * temporary source are removed, a restore is failed, a deletion is run again.
 */
final class StartupCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(StartupCleanup.class);

    private final ManagerContext ctx;
    private final BackupCreation creation;
    private final BackupDeletion deletion;

    StartupCleanup(ManagerContext ctx, BackupCreation creation, BackupDeletion deletion) {
        this.ctx = ctx;
        this.creation = creation;
        this.deletion = deletion;
    }

    void run() {
        String host = ctx.host();
        List<Backup> owned = ctx.tx(dsl -> ctx.backups().ownedBy(dsl, host,
                Set.of(BackupStatus.CREATING, BackupStatus.RESTORING, BackupStatus.DELETING)));
        if (!owned.isEmpty()) {
            // The start waits here: a killed process's Ceph watches and exclusive locks hold its images
            // until the cluster expires them (osd_client_watch_timeout, 30 s by default), and the
            // operator should know why the service is not up yet.
            LOG.info("settling {} operation(s) a previous process of host {} left unfinished ({}); images a killed "
                    + "process still holds are released by Ceph when its watches expire, which can take "
                    + "osd_client_watch_timeout", owned.size(), host,
                    owned.stream().map(b -> b.id() + " " + b.status().value()).collect(Collectors.joining(", ")));
        }
        long settleStart = System.nanoTime();
        for (Backup b : owned) {
            try {
                switch (b.status()) {
                    case CREATING -> settleCreation(b);
                    case RESTORING -> ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.RESTORE_INTERRUPTED, b,
                            Map.of(), LifecycleRecorder.VolumeTarget.of(b.restoreVolumeId())));
                    case DELETING -> deletion.run(b.id());
                    default -> { }
                }
            } catch (RuntimeException e) {
                LOG.error("cleanup of backup {} failed", b.id(), e);
            }
        }
        if (!owned.isEmpty()) {
            LOG.info("settled the unfinished operations in {} ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStart));
        }
    }

    /** The driver removes the partial data, the volume devices the temporary source; the backup fails. */
    private void settleCreation(Backup b) {
        Volume v = ctx.tx(dsl -> ctx.volumes().find(dsl, b.volumeId())).orElse(null);
        if (b.service() != null) {
            try {
                ctx.driver().cleanupInterrupted(b.ref(), () -> b.snapshotId() != null || v == null ? null
                        : ctx.volumeDevices().openForCleanup(v.id()));
            } catch (Exception e) {
                LOG.warn("could not remove partial data of backup {}", b.id(), e);
            }
        }
        if (v != null && b.snapshotId() == null) {
            try {
                ctx.volumeDevices().releaseInterruptedBackupSource(v.id(),
                        id -> ctx.tx(dsl -> ctx.volumes().find(dsl, id)).isPresent());
            } catch (Exception e) {
                LOG.warn("could not remove the temporary source of backup {}", b.id(), e);
            }
        }
        creation.fail(b, v, "incomplete backup reset on manager restart");
    }
}
