package dev.ember.volume;

import dev.ember.model.VolumeStatus;
import dev.ember.model.VolumeLifecycle;

import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.AttachmentRepository;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.SnapshotRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.error.CinderException;
import dev.ember.model.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static dev.ember.db.generated.Tables.VOLUMES;

/**
 * The minimal volume API of the embedded profile: just enough of cinder-volume for the stock
 * client to resolve a volume for {@code backup-create} and for restore to create one.
 */
public final class VolumeService {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeService.class);
    private static final long GIB = 1024L * 1024 * 1024;

    private final Database db;
    private final VolumeRepository volumes;
    /** Null where cinder-volume owns the volumes (see {@link #store(String)}). */
    private final VolumeStore store;
    private final String host;
    private final String zone;
    private final SnapshotRepository snapshotRows = new SnapshotRepository();
    private final AttachmentRepository attachmentRows = new AttachmentRepository();
    private final SnapshotService snapshots;
    private final AttachmentService attachments;
    private final Policy policy;

    /**
     * @param store  where the volumes' data is, when this profile owns it; null where cinder-volume
     *               owns the volumes (the api role, which only reads them; the embedded profile with
     *               {@code volume_backend = cinder})
     * @param policy cinder's volume, snapshot and attachment rules (with the operator's overrides)
     */
    public VolumeService(Database db, VolumeRepository volumes, VolumeStore store, String host, String zone,
                         Policy policy) {
        this.policy = policy;
        this.db = db;
        this.volumes = volumes;
        this.store = store;
        this.host = host;
        this.zone = zone;
        this.snapshots = new SnapshotService(db, volumes, snapshotRows, store, policy, this);
        this.attachments = store instanceof RbdVolumeBackend rbd
                ? new AttachmentService(db, volumes, attachmentRows, host, "rbd", rbd.poolName(), policy)
                : new AttachmentService(db, volumes, attachmentRows, host, "local", null, policy);
    }

    /**
     * The store for a change to a volume's data, or, where cinder-volume owns the volumes, the
     * failure that leaves the volume in the error status of {@code change}.
     */
    private VolumeStore store(String change) throws IOException {
        if (store == null) {
            throw new IOException("volumes are " + change + " by cinder-volume, not by Ember");
        }
        return store;
    }

    /** Cinder snapshots of these volumes. */
    public SnapshotService snapshots() {
        return snapshots;
    }

    /** Attachments (3.27+) of these volumes. */
    public AttachmentService attachments() {
        return attachments;
    }

    /**
     * cinder's {@code volume_api.get}: the volume as {@code Volume.get_by_id} finds it (another
     * project's is missing for a project-scoped caller), and only if {@code volume:get} passes with
     * the volume as target; a refusal is "not found" too, so the id's existence is not revealed.
     */
    public Volume get(RequestContext ctx, String id) {
        Volume v = db.tx(dsl -> volumes.find(dsl, id)).filter(x -> ctx.finds(x.projectId()))
                .orElseThrow(() -> CinderException.volumeNotFound(id));
        if (!policy.check("volume:get", ctx, target(v))) {
            throw CinderException.volumeNotFound(id);
        }
        return v;
    }

    /** The policy target cinder builds from a volume ({@code target_obj=volume}). */
    static Map<String, Object> target(Volume v) {
        return Policy.target(v.projectId(), v.userId());
    }

    public Optional<Volume> find(String id) {
        return db.tx(dsl -> volumes.find(dsl, id));
    }

    /** {@code volume:get_all} with the caller's own target, then the caller's project (see listScope). */
    public List<Volume> list(RequestContext ctx, boolean allTenants, int limit, int offset) {
        policy.enforce("volume:get_all", ctx);
        return db.tx(dsl -> volumes.list(dsl, ctx.listScope(allTenants), limit, offset));
    }

    public Map<String, String> metadata(String id) {
        return db.tx(dsl -> volumes.metadata(dsl, id));
    }

    /**
     * Creates a volume and its backing storage. The row goes in as {@code creating} first so a
     * crash between the two leaves a visible, deletable volume rather than an orphan file.
     */
    public Volume create(RequestContext ctx, int sizeGb, String name, String description) {
        return create(ctx, sizeGb, name, description, Map.of());
    }

    /** As above, with the user metadata cinder's create takes ({@code cinder create --metadata k=v}). */
    public Volume create(RequestContext ctx, int sizeGb, String name, String description,
                         Map<String, String> metadata) {
        policy.enforce("volume:create", ctx);
        if (sizeGb <= 0) {
            throw CinderException.invalidInput("Volume size '" + sizeGb + "' must be an integer and greater than 0");
        }
        String id = UUID.randomUUID().toString();
        LocalDateTime now = BackupRepository.now();
        Volume v = new Volume(id, ctx.userId(), ctx.projectId(), host, sizeGb, zone, VolumeStatus.CREATING.value(), "detached", null,
                name, description, null, false, false, null, now, now);
        db.txRun(dsl -> {
            volumes.insert(dsl, v);
            if (metadata != null && !metadata.isEmpty()) {
                volumes.updateMetadata(dsl, id, metadata, false);
            }
        });
        try {
            store("created").create(id, sizeGb * GIB);
            db.txRun(dsl -> volumes.apply(dsl, VolumeLifecycle.CREATED, id, null,
                    Map.of(VOLUMES.LAUNCHED_AT, BackupRepository.now())));
        } catch (IOException e) {
            LOG.error("creating volume {} failed", id, e);
            db.txRun(dsl -> volumes.apply(dsl, VolumeLifecycle.CREATE_FAILED, id, null, Map.of()));
        }
        return get(ctx, id);
    }

    // ------------------------------------------------- metadata (cinder/volume/api.py) ---

    /** get_volume_metadata: {@code volume:get_volume_metadata} on the volume. */
    public Map<String, String> getMetadata(RequestContext ctx, String id) {
        Volume v = get(ctx, id);
        policy.enforce("volume:get_volume_metadata", ctx, target(v));
        return metadata(id);
    }

    /** create_volume_metadata (POST): merged into the volume's; answers all of it. */
    public Map<String, String> createMetadata(RequestContext ctx, String id, Map<String, String> metadata) {
        Volume v = get(ctx, id);
        policy.enforce("volume:create_volume_metadata", ctx, target(v));
        return updateMetadataOf(v, metadata, false, "Updating");
    }

    /** update_volume_metadata: merged, or with {@code delete} (PUT of the whole set) replacing it. */
    public Map<String, String> updateMetadata(RequestContext ctx, String id, Map<String, String> metadata,
                                              boolean delete) {
        Volume v = get(ctx, id);
        policy.enforce("volume:update_volume_metadata", ctx, target(v));
        return updateMetadataOf(v, metadata, delete, "Updating");
    }

    private Map<String, String> updateMetadataOf(Volume v, Map<String, String> metadata, boolean delete, String verb) {
        checkMetadataStatus(v, verb);
        return db.tx(dsl -> volumes.updateMetadata(dsl, v.id(), metadata, delete));
    }

    private static void checkMetadataStatus(Volume v, String verb) {
        if ("maintenance".equals(v.status()) || "uploading".equals(v.status())) {
            throw CinderException.invalidVolume(verb + " volume metadata is not allowed for volumes in "
                    + v.status() + " status.");
        }
    }

    /** The controller's delete: the key must exist (read with get_volume_metadata), then delete_volume_metadata. */
    public void deleteMetadata(RequestContext ctx, String id, String key) {
        Map<String, String> current = getMetadata(ctx, id);
        Volume v = get(ctx, id);
        if (!current.containsKey(key)) {
            throw CinderException.notFound("Volume " + id + " has no metadata with key " + key + ".");
        }
        policy.enforce("volume:delete_volume_metadata", ctx, target(v));
        checkMetadataStatus(v, "Deleting");
        db.txRun(dsl -> volumes.deleteMetadata(dsl, id, key));
    }

    public void delete(RequestContext ctx, String id) {
        Volume v = get(ctx, id);
        policy.enforce("volume:delete", ctx, target(v));
        boolean moved = db.tx(dsl -> snapshotRows.countOfVolume(dsl, id) == 0
                && !attachments.hasAttachments(dsl, id)
                && volumes.apply(dsl, VolumeLifecycle.DELETE_REQUESTED, id, null, Map.of()));
        if (!moved) {
            throw CinderException.invalidVolume("Volume status must be available or error or error_restoring or "
                    + "error_extending or error_managing and must not be migrating, attached, belong to a group, "
                    + "have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.");
        }
        try {
            store("deleted").delete(v.id());
            db.txRun(dsl -> volumes.softDelete(dsl, id));
        } catch (IOException e) {
            LOG.error("deleting volume {} failed", id, e);
            db.txRun(dsl -> volumes.apply(dsl, VolumeLifecycle.DELETE_FAILED, id, null, Map.of()));
        }
    }

    /** The statuses {@code os-reset_status} accepts (cinder's {@code volume_status} format). */
    public static final Set<String> RESETTABLE_STATUSES = Set.of("creating", "available", "deleting", "error",
            "error_deleting", "error_managing", "managing", "attaching", "in-use", "detaching", "maintenance",
            "restoring-backup", "error_restoring", "reserved", "error_extending");
    public static final Set<String> ATTACH_STATUSES = Set.of("attached", "detached");

    /**
     * {@code os-reset_status} (admin): status and/or attach_status, checked as cinder's
     * VolumeAdminController does: no reset to deleting, none to in-use without an attachment;
     * attach_status detached removes the attachments.
     */
    public void resetStatus(RequestContext ctx, String id, String status, String attachStatus) {
        Volume found = get(ctx, id);
        policy.enforce("volume_extension:volume_admin_actions:reset_status", ctx, target(found));
        if ("deleting".equals(status)) {
            throw CinderException.badRequest("Cannot reset-state to " + status);
        }
        db.txRun(dsl -> {
            Volume v = volumes.lock(dsl, id).orElseThrow(() -> CinderException.volumeNotFound(id));
            if ("in-use".equals(status) && !attachments.hasAttachments(dsl, id)) {
                throw CinderException.badRequest("Cannot reset-state to in-use because volume does not have any "
                        + "attachments.");
            }
            Map<org.jooq.Field<?>, Object> changes = new java.util.LinkedHashMap<>();
            if (attachStatus != null) {
                changes.put(VOLUMES.ATTACH_STATUS, attachStatus);
            }
            VolumeStatus target = status == null ? null : VolumeStatus.parse(status).orElseThrow(
                    () -> CinderException.badRequest("Cannot reset-state to " + status));
            if (target != null) {
                // The row is locked: the compare-and-set is on the status just read.
                volumes.apply(dsl, VolumeLifecycle.RESET_STATUS.withTarget(target), v.id(), v.status(), changes);
            } else {
                volumes.update(dsl, v.id(), changes);
            }
            if ("detached".equals(attachStatus)) {
                attachments.detachAll(dsl, id);
            }
        });
    }

    /**
     * {@code os-extend}: grows the volume's image or file. The volume must be available (or
     * in-use from 3.42); it is {@code extending} meanwhile and returns to its status after, or to
     * {@code error_extending} when its storage cannot grow (cinder's manager).
     */
    public void extend(RequestContext ctx, String id, int newSizeGb, boolean allowInUse) {
        Volume v = get(ctx, id);
        boolean attached = allowInUse && VolumeStatus.IN_USE.is(v.status());
        policy.enforce(attached ? "volume:extend_attached_volume" : "volume:extend", ctx, target(v));
        String expected = (attached ? VolumeStatus.IN_USE : VolumeStatus.AVAILABLE).value();
        if (newSizeGb <= v.size()) {
            throw CinderException.invalidInput("New size for extend must be greater than current size. (current: "
                    + v.size() + ", extended: " + newSizeGb + ").");
        }
        boolean moved = db.tx(dsl -> volumes.apply(dsl, VolumeLifecycle.EXTEND_STARTED, id, expected, Map.of()));
        if (!moved) {
            Volume now = get(ctx, id);
            throw CinderException.invalidVolume("Volume " + id + " status must be '{'status': '" + expected
                    + "'}' to extend, currently " + now.status() + ".");
        }
        try {
            store("extended").extend(id, newSizeGb * GIB);
            db.txRun(dsl -> volumes.apply(dsl, VolumeLifecycle.EXTEND_FINISHED, id, null,
                    Map.of(VOLUMES.SIZE, newSizeGb)));
        } catch (IOException | RuntimeException e) {
            LOG.error("extending volume {} failed", id, e);
            db.txRun(dsl -> volumes.apply(dsl, VolumeLifecycle.EXTEND_FAILED, id, null, Map.of()));
        }
    }
}
