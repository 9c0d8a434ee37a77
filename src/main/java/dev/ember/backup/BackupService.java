package dev.ember.backup;

import dev.ember.model.QuotaResources;
import dev.ember.model.BackupLifecycle;

import dev.ember.auth.RequestContext;
import dev.ember.model.BackupQuery;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.QuotaRepository;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.error.CinderException;
import dev.ember.model.Backup;
import dev.ember.model.BackupStatus;
import dev.ember.model.BackupUpdate;
import dev.ember.rpc.BackupRpc;
import dev.ember.model.Snapshot;
import dev.ember.volume.SnapshotService;
import dev.ember.model.Volume;
import dev.ember.volume.VolumeService;
import dev.ember.model.VolumeStatus;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ember.db.generated.Tables.BACKUPS;

/**
 * The API side of backups (cinder/backup/api.py): validates, records the intent in the database
 * with the state transition, and casts the work to a backup host. Blocking; the REST layer calls
 * it on worker threads.
 */
public final class BackupService {

    private final Database db;
    private final BackupRepository backups;
    private final VolumeRepository volumes;
    private final QuotaRepository quotas;
    private final VolumeService volumeService;
    private final BackupHosts hosts;
    private final BackupRpc rpc;
    private final SnapshotRepository snapshots = new SnapshotRepository();
    private final NewVolumes newVolumes;
    private final LifecycleRecorder lifecycle;

    /**
     * How a restore without a target volume gets one: cinder-api's {@code volume_api.create(context,
     * size, name, description)}, answering the volume once it left {@code creating}.
     */
    @FunctionalInterface
    public interface NewVolumes {
        Volume create(RequestContext ctx, int sizeGb, String name, String description);
    }

    /** Restores into new volumes made by {@code volumeService} itself (the embedded profile). */
    public BackupService(Database db, BackupRepository backups, VolumeRepository volumes, QuotaRepository quotas,
                         VolumeService volumeService, BackupHosts hosts, BackupRpc rpc) {
        this(db, backups, volumes, quotas, volumeService, hosts, rpc, volumeService::create);
    }

    /** @param newVolumes where restores into a new volume get it (the API role: through cinder-scheduler) */
    public BackupService(Database db, BackupRepository backups, VolumeRepository volumes, QuotaRepository quotas,
                         VolumeService volumeService, BackupHosts hosts, BackupRpc rpc, NewVolumes newVolumes) {
        this.newVolumes = newVolumes;
        this.db = db;
        this.backups = backups;
        this.volumes = volumes;
        this.quotas = quotas;
        this.volumeService = volumeService;
        this.hosts = hosts;
        this.rpc = rpc;
        this.lifecycle = new LifecycleRecorder(backups, volumes, snapshots, quotas);
    }

    /**
     * The backup as cinder's {@code Backup.get_by_id} finds it: another project's backup is "not
     * found" to a project-scoped caller. The caller must still pass the backup's policy with the
     * backup as target (the controller does).
     */
    public Backup get(RequestContext ctx, String id) {
        return db.tx(dsl -> backups.find(dsl, id)).filter(b -> ctx.finds(b.projectId()))
                .orElseThrow(() -> CinderException.backupNotFound(id));
    }

    public List<Backup> list(BackupQuery q) {
        return db.tx(dsl -> {
            if (q.markerId() != null) {
                backups.find(dsl, q.markerId())
                        .filter(b -> q.scope().includes(b.projectId()))
                        .orElseThrow(() -> CinderException.backupNotFound(q.markerId()));
            }
            return backups.list(dsl, q);
        });
    }

    public int count(BackupQuery q) {
        return db.tx(dsl -> backups.count(dsl, q));
    }

    /** Whether a list can be sorted by {@code column}: cinder sorts by any column of backups. */
    public boolean isSortKey(String column) {
        return BackupRepository.isColumn(column);
    }

    /** The volume a backup would be taken of, as cinder's volume_api.get finds it (else 404). */
    public Volume sourceVolume(RequestContext ctx, String volumeId) {
        return volumeService.get(ctx, volumeId);
    }

    public Backup create(RequestContext ctx, CreateBackupRequest req) {
        Volume volume = volumeService.get(ctx, req.volumeId());
        if (req.snapshotId() != null) {
            // 404 "Snapshot <id> could not be found." when missing or not the caller's.
            volumeService.snapshots().get(ctx, req.snapshotId());
        }
        List<String> upHosts = hosts.upHosts(volume.availabilityZone());
        String[] chosen = {BackupHosts.anyOf(upHosts)};
        String id = UUID.randomUUID().toString();
        db.txRun(dsl -> {
            Volume v = volumes.lock(dsl, volume.id()).orElseThrow(() -> CinderException.volumeNotFound(volume.id()));
            String status = v.status();
            Snapshot snapshot = null;
            if (req.snapshotId() != null) {
                // cinder/backup/api.py: with a snapshot the volume's status is neither checked nor changed.
                snapshot = snapshots.lock(dsl, req.snapshotId())
                        .orElseThrow(() -> SnapshotService.notFound(req.snapshotId()));
                if (!v.id().equals(snapshot.volumeId())) {
                    throw CinderException.invalidVolume("Volume " + v.id() + " does not match with snapshot.volume_id "
                            + snapshot.volumeId() + ".");
                }
                if (!BackupLifecycle.SNAPSHOT_BACKING_UP.allows(snapshot.status())) {
                    throw CinderException.invalidSnapshot("Snapshot to be backed up must be available, but the current "
                            + "status is \"" + snapshot.status() + "\".");
                }
            } else if (!BackupLifecycle.VOLUME_BACKING_UP.allows(status)) {
                throw CinderException.invalidVolume("Volume to be backed up must be available or in-use, but the "
                        + "current status is \"" + status + "\".");
            } else if (VolumeStatus.IN_USE.is(status) && !req.force()) {
                throw CinderException.invalidVolume("Backing up an in-use volume must use the force flag.");
            }
            // From a snapshot, only backups taken before the snapshot qualify as parent (cinder's max()).
            LocalDateTime parentBefore = snapshot == null ? null : snapshot.createdAt();
            String parentId = null;
            if (req.incremental()) {
                Backup latest = backups.latestOfVolume(dsl, v.id(), ctx.projectId(), parentBefore)
                        .orElseThrow(() -> CinderException.invalidBackup("No backups available to do an incremental backup."));
                // The parent's row stays locked until the child is committed: a delete of the parent
                // (which locks it too, then counts children) waits and then sees the child, and a
                // delete that got there first is seen here as the parent's current status.
                Backup parent = backups.lock(dsl, latest.id())
                        .orElseThrow(() -> CinderException.invalidBackup("The parent backup must be available for incremental backup."));
                if (parent.status() != BackupStatus.AVAILABLE) {
                    throw CinderException.invalidBackup("The parent backup must be available for incremental backup.");
                }
                parentId = parent.id();
                if (parent.service() != null && parent.service().contains("posix")) {
                    // cinder's rule: a posix incremental needs its parent's sha256file, which only the
                    // parent's host may see (backup_posix_path can be local), so it goes there.
                    chosen[0] = upHosts.contains(parent.host()) ? parent.host() : null;
                }
            }
            String host = chosen[0];
            LocalDateTime now = BackupRepository.now();
            // availability_zone stays NULL, as cinder 21.x's backup API stores none (it even ignores
            // the 3.51 request field); the host above is still picked in the volume's zone, like
            // cinder's scheduler, and later operations with a NULL zone accept a host in any zone.
            Backup b = new Backup(id, v.id(), ctx.userId(), ctx.projectId(), host,
                    null, req.name(), req.description(), req.container(), BackupStatus.CREATING,
                    null, null, null, v.size(), 0, parentId, null, null, 0, req.snapshotId(),
                    snapshot == null ? now : snapshot.createdAt(), null, null,
                    now, now, null, false, req.metadata() == null ? Map.of() : req.metadata());
            try {
                lifecycle.insert(dsl, BackupLifecycle.CREATE_REQUESTED, b, false,
                        new LifecycleRecorder.VolumeTarget(v.id(), status, Map.of()));
            } catch (QuotaRepository.OverQuotaException e) {
                throw overQuota(e, v.size());
            }
            if (host == null) {
                // What cinder-scheduler does when no backup service is up.
                lifecycle.apply(dsl, BackupLifecycle.CREATE_UNSCHEDULED, b,
                        Map.of(BACKUPS.FAIL_REASON, "Service not found for creating backup."),
                        LifecycleRecorder.VolumeTarget.of(v.id()));
            }
        });
        if (chosen[0] != null) {
            rpc.createBackup(chosen[0], id);
        }
        return get(ctx, id);
    }

    /** cinder's error for a refused quota reservation of one backup of {@code gigabytes}. */
    private static RuntimeException overQuota(QuotaRepository.OverQuotaException e, int gigabytes) {
        for (String over : e.overs) {
            if (over.contains("gigabytes")) {
                return CinderException.overLimit("VolumeBackupSizeExceedsAvailableQuota",
                        "Requested backup exceeds allowed Backup gigabytes quota. Requested " + gigabytes
                                + "G, quota is " + e.limits.get(over) + "G and " + e.consumed.get(over)
                                + "G has been consumed.");
            }
            if (over.equals(QuotaResources.BACKUPS)) {
                return CinderException.overLimit("BackupLimitExceeded",
                        "Maximum number of backups allowed (" + e.limits.get(over) + ") exceeded");
            }
        }
        return e;
    }

    /** PUT /backups/{id} (3.9): name, description and (3.43) metadata. */
    public Backup update(RequestContext ctx, String id, BackupUpdate changes) {
        get(ctx, id);
        db.txRun(dsl -> backups.update(dsl, id, changes));
        return get(ctx, id);
    }

    public void delete(RequestContext ctx, String id, boolean force) {
        Backup b = get(ctx, id);
        if (force && !rpc.checkSupportToForceDelete(hosts.pick(b.host(), hosts.zoneOf(b)))) {
            throw CinderException.notSupported("force delete");
        }
        String host = hosts.pick(null, hosts.zoneOf(b));
        db.txRun(dsl -> {
            Backup locked = backups.lock(dsl, id).orElseThrow(() -> CinderException.backupNotFound(id));
            if (!force && !BackupLifecycle.DELETE_REQUESTED.allows(locked.status())) {
                throw CinderException.invalidBackup("Backup status must be available or error");
            }
            if (backups.countChildren(dsl, id) > 0) {
                throw CinderException.invalidBackup("Incremental backups exist for this backup.");
            }
            lifecycle.apply(dsl, force ? BackupLifecycle.FORCE_DELETE_REQUESTED : BackupLifecycle.DELETE_REQUESTED,
                    locked, Map.of(BACKUPS.HOST, host), LifecycleRecorder.VolumeTarget.none());
        });
        rpc.deleteBackup(host, id);
    }

    /** The answer of a restore request. */
    public record RestoreResult(String backupId, String volumeId, String volumeName) {
    }

    public RestoreResult restore(RequestContext ctx, String id, String volumeId, String name) {
        Backup b = get(ctx, id);
        if (!BackupLifecycle.RESTORE_REQUESTED.allows(b.status())) {
            throw CinderException.invalidBackup("Backup status must be available");
        }
        boolean volumeIsNew = volumeId == null;
        Volume target;
        if (volumeIsNew) {
            String volName = name != null ? name : "restore_backup_" + id;
            target = newVolumes.create(ctx, b.size(), volName, "auto-created_from_restore_from_backup");
            if ("error".equals(target.status())) {
                throw CinderException.invalidVolume("Error while creating volume " + target.id()
                        + " for restoring backup " + id + ".");
            }
        } else {
            target = volumeService.get(ctx, volumeId);
        }
        String host = hosts.pick(b.host(), hosts.zoneOf(b));
        Volume finalTarget = target;
        db.txRun(dsl -> {
            Volume v = volumes.lock(dsl, finalTarget.id()).orElseThrow(() -> CinderException.volumeNotFound(finalTarget.id()));
            if (!BackupLifecycle.VOLUME_RESTORING.allows(v.status())) {
                throw CinderException.invalidVolume("Volume to be restored to must be available");
            }
            if (b.size() > v.size()) {
                throw CinderException.invalidVolume("volume size " + v.size() + " is too small to restore backup of size "
                        + b.size() + ".");
            }
            if (!lifecycle.apply(dsl, BackupLifecycle.RESTORE_REQUESTED, b,
                    Map.of(BACKUPS.HOST, host, BACKUPS.RESTORE_VOLUME_ID, v.id()),
                    new LifecycleRecorder.VolumeTarget(v.id(), v.status(), Map.of()))) {
                // The transaction rolls back, the volume's part with it.
                throw CinderException.invalidBackup("Backup status must be available");
            }
        });
        rpc.restoreBackup(host, id, target.id(), volumeIsNew);
        return new RestoreResult(id, target.id(), target.displayName());
    }

    public BackupRpc.ExportedRecord export(RequestContext ctx, String id) {
        Backup b = get(ctx, id);
        if (!BackupLifecycle.EXPORTABLE.contains(b.status())) {
            throw CinderException.invalidBackup("Backup status must be available and not " + b.status().value() + ".");
        }
        String host = hosts.pick(b.host(), hosts.zoneOf(b));
        // cinder-api saves the host it chose (backup.save(): updated_at moves) before the call,
        // so the exported record carries that updated_at.
        db.txRun(dsl -> backups.update(dsl, id, Map.of(BACKUPS.HOST, host)));
        return rpc.exportRecord(host, id);
    }

    /** POST /backups/import_record: creates (or revives) the row and casts the import. */
    public Backup importRecord(RequestContext ctx, String backupService, String backupUrl) {
        ImportedRecord record = ImportedRecord.decode(backupUrl);
        List<String> up = hosts.upHosts(null);
        if (up.isEmpty()) {
            throw CinderException.unavailable("Service cinder-backup could not be found.");
        }
        String id = record.id();
        db.txRun(dsl -> {
            var existing = backups.findIncludingDeleted(dsl, id);
            if (existing.isPresent() && !existing.get().deleted()) {
                throw CinderException.invalidBackup("Backup already exists in database.");
            }
            LocalDateTime now = BackupRepository.now();
            Backup b = new Backup(id, "00000000-0000-0000-0000-000000000000", ctx.userId(), ctx.projectId(),
                    up.get(0), null, null, null, null, BackupStatus.CREATING, null, null, null, record.size(), 0,
                    null, null, null, 0, null, null, null, null, now, now, null, false, Map.of());
            try {
                lifecycle.insert(dsl, BackupLifecycle.IMPORT_REQUESTED, b, existing.isPresent(),
                        LifecycleRecorder.VolumeTarget.none());
            } catch (QuotaRepository.OverQuotaException e) {
                throw overQuota(e, record.size());
            }
        });
        rpc.importRecord(up.get(0), id, backupService, backupUrl, up);
        return get(ctx, id);
    }

    public void resetStatus(RequestContext ctx, String id, String status) {
        Backup b = get(ctx, id);
        String host = hosts.pick(b.host(), hosts.zoneOf(b));
        // As cinder-api: the chosen host is saved (and updated_at with it) before the cast.
        db.txRun(dsl -> backups.update(dsl, id, Map.of(BACKUPS.HOST, host)));
        rpc.resetStatus(host, id, status);
    }
}
