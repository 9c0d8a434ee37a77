package dev.ember.volume;

import dev.ember.model.SnapshotStatus;
import dev.ember.model.VolumeLifecycle;

import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.error.CinderException;
import dev.ember.model.Snapshot;
import dev.ember.model.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.ember.db.generated.Tables.SNAPSHOTS;

/**
 * Cinder snapshots of the volume service's own volumes (cinder/volume/api.py's snapshot part
 * with the volume manager's create/delete folded in): an RBD snapshot {@code snapshot-<id>} in
 * the Ceph profile, a sparse file copy in the embedded one. Blocking.
 */
public final class SnapshotService {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);

    private final Database db;
    private final VolumeRepository volumes;
    private final SnapshotRepository snapshots;
    /** Null where cinder-volume owns the volumes: no snapshots are taken here then. */
    private final VolumeStore store;

    private final Policy policy;
    private final VolumeService volumeService;

    /**
     * @param store         where the snapshots are taken; null where cinder-volume owns the volumes
     * @param volumeService looks up the source volume as cinder's volume_api.get does
     */
    public SnapshotService(Database db, VolumeRepository volumes, SnapshotRepository snapshots, VolumeStore store,
                           Policy policy, VolumeService volumeService) {
        this.policy = policy;
        this.volumeService = volumeService;
        this.db = db;
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.store = store;
    }

    public static CinderException notFound(String id) {
        return CinderException.notFound("Snapshot " + id + " could not be found.");
    }

    /**
     * cinder's {@code volume_api.get_snapshot}: the snapshot as {@code Snapshot.get_by_id} finds
     * it (another project's is missing for a project-scoped caller), then {@code
     * volume:get_snapshot} with the snapshot as target, whose refusal is a 403.
     */
    public Snapshot get(RequestContext ctx, String id) {
        Snapshot s = find(id).filter(x -> ctx.finds(x.projectId())).orElseThrow(() -> notFound(id));
        policy.enforce("volume:get_snapshot", ctx, target(s));
        return s;
    }

    private static Map<String, Object> target(Snapshot s) {
        return Policy.target(s.projectId(), s.userId());
    }

    public Optional<Snapshot> find(String id) {
        return db.tx(dsl -> snapshots.find(dsl, id));
    }

    public List<Snapshot> list(RequestContext ctx, boolean allTenants, String volumeId, String status, String name,
                               int limit, int offset) {
        policy.enforce("volume:get_all_snapshots", ctx);
        return db.tx(dsl -> snapshots.list(dsl, ctx.listScope(allTenants), volumeId, status, name, limit, offset));
    }

    /**
     * {@code POST /snapshots}: the volume must be {@code available}, or {@code in-use} with
     * {@code force}, as in cinder's {@code _create_snapshot}.
     */
    public Snapshot create(RequestContext ctx, String volumeId, boolean force, String name, String description) {
        // cinder's snapshots controller: volume_api.get (404), then create_snapshot's policy on the volume.
        Volume volume = volumeService.get(ctx, volumeId);
        policy.enforce("volume:create_snapshot", ctx, VolumeService.target(volume));
        if (store == null) {
            throw CinderException.badRequest("Snapshots are not supported by this volume backend.");
        }
        String id = UUID.randomUUID().toString();
        db.txRun(dsl -> {
            Volume v = volumes.lock(dsl, volume.id()).orElseThrow(() -> CinderException.volumeNotFound(volumeId));
            if ("maintenance".equals(v.status())) {
                throw CinderException.invalidVolume("The snapshot cannot be created when the volume is in "
                        + "maintenance mode.");
            }
            if ("error".equals(v.status())) {
                throw CinderException.invalidVolume("The snapshot cannot be created when the volume is in error "
                        + "status.");
            }
            List<String> valid = force ? List.of("available", "in-use") : List.of("available");
            if (!valid.contains(v.status())) {
                throw CinderException.invalidVolume("Volume " + v.id() + " status must be " + String.join(", ", valid)
                        + ", but current status is: " + v.status() + ".");
            }
            LocalDateTime now = BackupRepository.now();
            snapshots.insert(dsl, new Snapshot(id, v.id(), ctx.userId(), ctx.projectId(), SnapshotStatus.CREATING.value(), "0%", v.size(),
                    name, description, v.volumeTypeId(), null, true, now, now));
        });
        try {
            store.createSnapshot(volume.id(), id);
            db.txRun(dsl -> snapshots.apply(dsl, VolumeLifecycle.SNAPSHOT_CREATED, id,
                    Map.of(SNAPSHOTS.PROGRESS, "100%")));
        } catch (IOException | RuntimeException e) {
            LOG.error("creating snapshot {} of volume {} failed", id, volume.id(), e);
            db.txRun(dsl -> snapshots.apply(dsl, VolumeLifecycle.SNAPSHOT_CREATE_FAILED, id, Map.of()));
        }
        return get(ctx, id);
    }

    /** {@code DELETE /snapshots/{id}}: status must be available or error. */
    public void delete(RequestContext ctx, String id) {
        Snapshot s = get(ctx, id);
        policy.enforce("volume:delete_snapshot", ctx, target(s));
        boolean moved = db.tx(dsl -> snapshots.apply(dsl, VolumeLifecycle.SNAPSHOT_DELETE_REQUESTED, id, Map.of()));
        if (!moved) {
            throw CinderException.invalidSnapshot("Snapshot status must be available or error and must not be part "
                    + "of a group.");
        }
        try {
            if (store == null) {
                throw new IOException("snapshots are deleted by cinder-volume, not by Ember");
            }
            store.deleteSnapshot(s.volumeId(), id);
            db.txRun(dsl -> snapshots.softDelete(dsl, id));
        } catch (IOException | RuntimeException e) {
            LOG.error("deleting snapshot {} failed", id, e);
            db.txRun(dsl -> snapshots.apply(dsl, VolumeLifecycle.SNAPSHOT_DELETE_FAILED, id, Map.of()));
        }
    }
}
