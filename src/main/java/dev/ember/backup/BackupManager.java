package dev.ember.backup;

import dev.ember.model.BackupLifecycle;

import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.QuotaRepository;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.driver.BackupDriver;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.ProgressListener;
import dev.ember.driver.BackupRef;
import dev.ember.device.VolumeDevice;
import dev.ember.driver.SiblingBackups;
import dev.ember.error.CinderException;
import dev.ember.keymgr.ConfKeyManager;
import dev.ember.keymgr.KeyManager;
import dev.ember.keymgr.KeyManagerException;
import dev.ember.model.Backup;
import dev.ember.model.BackupStatus;
import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.BackupRpcEndpoint;
import dev.ember.rpc.notify.Notifier;
import dev.ember.model.Snapshot;
import dev.ember.model.SnapshotStatus;
import dev.ember.model.Volume;
import dev.ember.volume.VolumeDevices;
import dev.ember.model.VolumeStatus;
import org.jooq.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ember.db.generated.Tables.BACKUPS;
import static dev.ember.db.generated.Tables.VOLUMES;

/**
 * The backup host's manager (cinder/backup/manager.py): runs the driver for the work the API
 * cast to this host and moves backups and volumes through their states. Every state change is a
 * compare-and-set in the database, so work whose backup changed state underneath it (deleted
 * while creating, reset while restoring) is abandoned rather than overwritten.
 */
public final class BackupManager implements BackupRpcEndpoint, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);
    private static final int FAIL_REASON_MAX = 255;

    private final Database db;
    private final BackupRepository backups;
    private final VolumeRepository volumes;
    private final QuotaRepository quotas;
    private final BackupDriver driver;
    private final VolumeDevices volumeDevices;
    private final String host;
    private final LeftoverCleanup leftovers;
    /** Backups of one volume and the removal of a failed backup's leftovers never overlap in this process. */
    private final VolumeLocks volumeLocks = new VolumeLocks();
    private volatile Notifier notifier = Notifier.noop();
    /** Where volume encryption keys are cloned and deleted (cinder's castellan key_manager.API). */
    private volatile KeyManager keyManager = new ConfKeyManager(null);
    private final SnapshotRepository snapshots = new SnapshotRepository();
    private final LifecycleRecorder lifecycle;

    private volatile String availabilityZone;
    private final ManagerContext ctx;
    private final BackupDeletion deletion;
    private final StatusReset reset;
    private final BackupRestoration restoration;
    private final BackupRecords records;

    public BackupManager(Database db, BackupRepository backups, VolumeRepository volumes, QuotaRepository quotas,
                         BackupDriver driver, VolumeDevices volumeDevices, String host) {
        this.db = db;
        this.backups = backups;
        this.volumes = volumes;
        this.quotas = quotas;
        this.driver = driver;
        this.volumeDevices = volumeDevices;
        this.host = host;
        this.lifecycle = new LifecycleRecorder(backups, volumes, snapshots, quotas);
        this.leftovers = new LeftoverCleanup(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofHours(1));
        this.ctx = new ManagerContext(db, backups, volumes, snapshots, driver, volumeDevices, lifecycle, volumeLocks,
                host, () -> keyManager, () -> notifier, () -> availabilityZone);
        this.deletion = new BackupDeletion(ctx);
        this.reset = new StatusReset(ctx);
        this.restoration = new BackupRestoration(ctx);
        this.records = new BackupRecords(ctx);
    }

    /** Stops the background removal of failed backups' leftovers. */
    @Override
    public void close() {
        leftovers.close();
    }

    public String host() {
        return host;
    }

    /** This host's storage_availability_zone, which imported backups take (as cinder's manager). */
    public void setAvailabilityZone(String zone) {
        this.availabilityZone = zone;
    }

    /** The key manager ({@code [key_manager] backend}); default: cinder's ConfKeyManager without a key. */
    public void setKeyManager(KeyManager keyManager) {
        this.keyManager = keyManager == null ? new ConfKeyManager(null) : keyManager;
    }

    /** Where backup.* notifications go (default: nowhere). */
    public void setNotifier(Notifier notifier) {
        this.notifier = notifier == null ? Notifier.noop() : notifier;
    }

    /** cinder's notify_about_backup_usage with the backup as it is now in the database; never throws. */
    private void notifyUsage(String backupId, String suffix) {
        Notifier n = notifier;
        if (!n.enabled()) {
            return;
        }
        try {
            db.tx(dsl -> backups.findIncludingDeleted(dsl, backupId)).ifPresent(b -> n.backupUsage(b, suffix, null));
        } catch (RuntimeException e) {
            LOG.warn("backup.{} notification for {} failed: {}", suffix, backupId, e.toString());
        }
    }

    /**
     * How long the manager waits out a database outage before giving up on recording a state.
     * Work that finished must be recorded: giving up leaves it for the startup cleanup.
     */
    private static final java.time.Duration DB_PATIENCE = java.time.Duration.ofMinutes(5);

    private <T> T tx(java.util.function.Function<org.jooq.DSLContext, T> work) {
        return db.txPatiently(work, DB_PATIENCE);
    }

    private void txRun(java.util.function.Consumer<org.jooq.DSLContext> work) {
        db.txRunPatiently(work, DB_PATIENCE);
    }

    public BackupDriver driver() {
        return driver;
    }

    /** How this manager reaches volumes (for monitoring and tests). */
    public VolumeDevices volumeDevices() {
        return volumeDevices;
    }

    // ---------------------------------------------------------------- create

    @Override
    public void createBackup(String backupId) {
        // The backup, its volume and its snapshot in one read.
        record Start(Backup backup, Volume volume, Snapshot snapshot) {
        }
        Start start = tx(dsl -> backups.find(dsl, backupId).map(b -> new Start(b,
                volumes.find(dsl, b.volumeId()).orElse(null),
                b.snapshotId() == null ? null : snapshots.find(dsl, b.snapshotId()).orElse(null)))).orElse(null);
        if (start == null) {
            LOG.warn("create_backup: backup {} no longer exists", backupId);
            return;
        }
        Backup backup = start.backup();
        Volume volume = start.volume();
        notifyUsage(backupId, "create.start");
        if (!BackupLifecycle.CREATE_FINISHED.allows(backup.status())) {
            failCreate(backup, volume, "Create backup aborted, expected backup status creating but got "
                    + backup.status().value() + ".");
            return;
        }
        if (backup.snapshotId() != null) {
            Snapshot snap = start.snapshot();
            if (volume == null || snap == null || !SnapshotStatus.BACKING_UP.is(snap.status())) {
                failCreate(backup, volume, "Create backup aborted, expected snapshot status backing-up but got "
                        + (snap == null ? "None" : snap.status()) + ".");
                return;
            }
        } else if (volume == null || !VolumeStatus.BACKING_UP.is(volume.status())) {
            failCreate(backup, volume, "Create backup aborted, expected volume status backing-up but got "
                    + (volume == null ? "None" : volume.status()) + ".");
            return;
        }
        // cinder's _start_backup: backup.service; with it, in the same transaction, the reads the
        // driver needs: cinder's BackupMetadataAPI.get (the volume's metadata, stored with the data
        // by the driver) and the parent.
        record Inputs(String volumeMeta, Backup parent) {
        }
        Inputs inputs = tx(dsl -> {
            backups.update(dsl, backupId, Map.of(BACKUPS.SERVICE, driver.serviceName()));
            return new Inputs(BackupMetadataApi.get(dsl, volume.id()),
                    backup.parentId() == null ? null : backups.find(dsl, backup.parentId()).orElse(null));
        });
        // cinder's _start_backup: a copy of the volume's key, so the backup outlives the volume's.
        if (volume.encryptionKeyId() != null && backup.encryptionKeyId() == null) {
            String clone;
            try {
                clone = keyManager.cloneKey(volume.encryptionKeyId());
            } catch (KeyManagerException | RuntimeException e) {
                failCreate(backup, volume, describe(e));
                return;
            }
            txRun(dsl -> backups.update(dsl, backupId, Map.of(BACKUPS.ENCRYPTION_KEY_ID, clone)));
        }
        String volumeMeta = inputs.volumeMeta();
        Backup parent = inputs.parent();
        if (backup.parentId() != null && parent == null) {
            failCreate(backup, volume, "Parent backup " + backup.parentId() + " no longer exists.");
            return;
        }
        // The volume's lock is held until the backup is recorded with the parent its data has: a
        // delete of that parent (serialised on the same lock) then sees the child.
        boolean finished;
        try (VolumeLocks.Held held = volumeLocks.lock(volume.id())) {
            // Read under the lock: which source snapshots other projects' chains still need.
            var rows = tx(dsl -> backups.siblingsOf(dsl, volume.id(), backup.projectId(), backupId));
            SiblingBackups siblings = new SiblingBackups(rows.ownProject(), rows.otherHeads());
            BackupOutcome outcome;
            try (VolumeDevice device = volumeDevices.openBackupSource(volume, backup.snapshotId())) {
                outcome = driver.backup(backup.ref().withVolumeMeta(volumeMeta), parent == null ? null : parent.ref(),
                        siblings, device, stopWhenNoLongerCreating(backupId));
            } catch (BackupDriverException.LeftoversRemain e) {
                failCreate(backup, volume, e.getMessage());
                String volumeId = volume.id();
                leftovers.schedule(backupId, () -> {
                    try (VolumeLocks.Held cleanupHeld = volumeLocks.lock(volumeId)) {
                        driver.cleanupFailed(backup.ref(),
                                () -> backup.snapshotId() != null ? null : volumeDevices.openForCleanup(volumeId));
                    }
                });
                return;
            } catch (BackupDriverException e) {
                failCreate(backup, volume, e.getMessage());
                return;
            } catch (Exception e) {
                LOG.error("backup {} failed", backupId, e);
                failCreate(backup, volume, describe(e));
                return;
            }
            String parentId = outcome.parent() instanceof BackupOutcome.ParentLink.Parent p ? p.id() : backup.parentId();
            Map<Field<?>, Object> changes = new HashMap<>();
            changes.put(BACKUPS.CONTAINER, outcome.container());
            changes.put(BACKUPS.SERVICE_METADATA, outcome.serviceMetadata());
            changes.put(BACKUPS.OBJECT_COUNT, outcome.objectCount());
            changes.put(BACKUPS.SIZE, volume.size());
            // Both the requested and the real parent are recounted: a driver may have relinked the chain.
            changes.put(BACKUPS.PARENT_ID, parentId);
            finished = tx(dsl -> lifecycle.apply(dsl, BackupLifecycle.CREATE_FINISHED, backup, changes,
                    LifecycleRecorder.VolumeTarget.of(volume.id())));
        }
        if (!finished) {
            // The backup was deleted or reset while its data was written: cinder leaves it alone.
            LOG.info("backup {} changed state during creation; leaving it as it is", backupId);
        } else {
            LOG.info("backup {} of volume {} is available", backupId, volume.id());
            notifyUsage(backupId, "create.end");
        }
    }

    /**
     * The backup to error with {@code reason}; the volume, if it was read as backing-up and still
     * is, back to its previous status (a snapshot back to available).
     */
    private void failCreate(Backup backup, Volume volume, String reason) {
        LOG.warn("backup {} failed: {}", backup.id(), reason);
        txRun(dsl -> lifecycle.apply(dsl, BackupLifecycle.CREATE_FAILED, backup,
                Map.of(BACKUPS.FAIL_REASON, truncate(reason)), volume == null ? LifecycleRecorder.VolumeTarget.none()
                        : new LifecycleRecorder.VolumeTarget(volume.id(), volume.status(), Map.of())));
    }

    // ---------------------------------------------------------------- restore

    /** {@code volumeIsNew}, part of cinder's RPC call, is not used here. */
    @Override
    public void restoreBackup(String backupId, String volumeId, boolean volumeIsNew) {
        restoration.run(backupId, volumeId);
    }

    /**
     * Progress that stops the backup once its row is no longer {@code creating} (force-deleted or
     * reset meanwhile), looking at most once a second: the driver then removes what it wrote
     * instead of writing on for a backup nobody will record.
     */
    private ProgressListener stopWhenNoLongerCreating(String backupId) {
        return new ProgressListener() {
            private long nextCheck = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

            @Override
            public void progress(long done) {
                LOG.debug("backup {}: {} bytes", backupId, done);
                long now = System.nanoTime();
                if (now < nextCheck) {
                    return;
                }
                nextCheck = now + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
                BackupStatus status = tx(dsl -> backups.find(dsl, backupId)).map(Backup::status).orElse(null);
                if (status != BackupStatus.CREATING) {
                    throw new ProgressListener.Stop("Backup " + backupId + " is "
                            + (status == null ? "deleted" : status.value()) + ": its creation was stopped.");
                }
            }
        };
    }

    // ---------------------------------------------------------------- delete

    @Override
    public void deleteBackup(String backupId) {
        deletion.run(backupId);
    }

    // ---------------------------------------------------------------- admin

    @Override
    public void resetStatus(String backupId, String status) {
        reset.run(backupId, status);
    }

    @Override
    public BackupRpc.ExportedRecord exportRecord(String backupId) {
        return records.export(backupId);
    }

    /**
     * {@code backupHosts}, part of cinder's RPC call (the hosts cinder's manager passes a record on
     * to when its own driver cannot import it), is not used here: such an import fails.
     */
    @Override
    public void importRecord(String backupId, String backupService, String backupUrl, List<String> backupHosts) {
        records.importInto(backupId, backupService, backupUrl);
    }

    @Override
    public boolean checkSupportToForceDelete() {
        return driver.supportsForceDelete();
    }

    // ---------------------------------------------------------------- startup

    /**
     * cinder's _cleanup_incomplete_backup_operations for this host: work that was in flight when
     * the process died is put into a defined state.
     */
    public void cleanupIncompleteOperations() {
        List<Backup> owned = tx(dsl -> backups.ownedBy(dsl, host,
                Set.of(BackupStatus.CREATING, BackupStatus.RESTORING, BackupStatus.DELETING)));
        if (!owned.isEmpty()) {
            // The start waits here: a killed process's Ceph watches and exclusive locks hold its images
            // until the cluster expires them (osd_client_watch_timeout, 30 s by default), and the
            // operator should know why the service is not up yet.
            LOG.info("settling {} operation(s) a previous process of host {} left unfinished ({}); images a killed "
                    + "process still holds are released by Ceph when its watches expire, which can take "
                    + "osd_client_watch_timeout", owned.size(), host,
                    owned.stream().map(b -> b.id() + " " + b.status().value()).collect(java.util.stream.Collectors.joining(", ")));
        }
        long settleStart = System.nanoTime();
        for (Backup b : owned) {
            try {
                switch (b.status()) {
                    case CREATING -> {
                        Volume v = tx(dsl -> volumes.find(dsl, b.volumeId())).orElse(null);
                        if (b.service() != null) {
                            try {
                                driver.cleanupInterrupted(b.ref(), () -> b.snapshotId() != null || v == null ? null
                                        : volumeDevices.openForCleanup(v.id()));
                            } catch (Exception e) {
                                LOG.warn("could not remove partial data of backup {}", b.id(), e);
                            }
                        }
                        if (v != null && b.snapshotId() == null) {
                            try {
                                volumeDevices.releaseInterruptedBackupSource(v.id(),
                                        id -> tx(dsl -> volumes.find(dsl, id)).isPresent());
                            } catch (Exception e) {
                                LOG.warn("could not remove the temporary source of backup {}", b.id(), e);
                            }
                        }
                        failCreate(b, v, "incomplete backup reset on manager restart");
                    }
                    case RESTORING -> txRun(dsl -> lifecycle.apply(dsl, BackupLifecycle.RESTORE_INTERRUPTED, b, Map.of(),
                            LifecycleRecorder.VolumeTarget.of(b.restoreVolumeId())));
                    case DELETING -> deleteBackup(b.id());
                    default -> { }
                }
            } catch (RuntimeException e) {
                LOG.error("cleanup of backup {} failed", b.id(), e);
            }
        }
        if (!owned.isEmpty()) {
            LOG.info("settled the unfinished operations in {} ms",
                    java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStart));
        }
    }

    private boolean isOurs(Backup backup) {
        return backup.service() != null && backup.service().startsWith(driver.serviceName());
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String truncate(String s) {
        if (s == null) {
            return null;
        }
        return s.length() <= FAIL_REASON_MAX ? s : s.substring(0, FAIL_REASON_MAX);
    }
}
