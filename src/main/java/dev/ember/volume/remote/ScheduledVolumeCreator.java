package dev.ember.volume.remote;

import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.QuotaRepository;
import dev.ember.db.VolumeRepository;
import dev.ember.db.VolumeSchedulingRepository;
import dev.ember.error.CinderException;
import dev.ember.rpc.amqp.OsloRpcClient;
import dev.ember.rpc.oslo.CreateVolumeRequest;
import dev.ember.rpc.oslo.RpcContext;
import dev.ember.model.Volume;
import dev.ember.model.VolumeType;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ember.db.generated.Tables.SNAPSHOTS;
import static dev.ember.db.generated.Tables.VOLUMES;

/**
 * The volume a restore without {@code volume_id} creates, made the way cinder-api's
 * {@code volume_api.create(context, size, name, description)} makes it where cinder-volume owns the
 * volumes (the API role): the project's default volume type, quota reserved for {@code volumes},
 * {@code gigabytes} and their per-type resources, a {@code volumes} row in {@code creating} with
 * its {@code workers} row, then {@code create_volume} cast to cinder-scheduler, which picks a
 * cinder-volume backend that makes the volume. Like cinder-api's restore, {@link #create} then
 * polls the row every second until it leaves {@code creating}.
 */
public final class ScheduledVolumeCreator {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledVolumeCreator.class);
    public static final String SCHEDULER_TOPIC = "cinder-scheduler";

    /** What cinder-api needs from its configuration for this. */
    public record Settings(String defaultVolumeType, String availabilityZone, int quotaVolumes,
                           int quotaGigabytes, int perVolumeGigabytes, Duration pollInterval, Duration maxWait) {
    }

    private final Database db;
    private final VolumeRepository volumes;
    private final VolumeSchedulingRepository types = new VolumeSchedulingRepository();
    private final QuotaRepository quotas;
    private final Policy policy;
    private final OsloRpcClient oslo;
    private final Settings settings;

    public ScheduledVolumeCreator(Database db, VolumeRepository volumes, Policy policy, OsloRpcClient oslo,
                                  Settings settings) {
        this.db = db;
        this.volumes = volumes;
        this.policy = policy;
        this.oslo = oslo;
        this.settings = settings;
        // Per-type resources (volumes_<type>, gigabytes_<type>) default to unlimited, as in cinder.
        this.quotas = new QuotaRepository(Map.of("volumes", settings.quotaVolumes(),
                "gigabytes", settings.quotaGigabytes()));
    }

    public Volume create(RequestContext ctx, int sizeGb, String name, String description) {
        policy.enforce("volume:create", ctx);
        if (sizeGb <= 0) {
            throw CinderException.invalidInput("Volume size '" + sizeGb + "' must be an integer and greater than 0");
        }
        if (settings.perVolumeGigabytes() >= 0 && sizeGb > settings.perVolumeGigabytes()) {
            throw CinderException.overLimit("VolumeSizeExceedsLimit", "Requested volume size " + sizeGb
                    + "G is larger than maximum allowed limit " + settings.perVolumeGigabytes() + "G.");
        }
        String id = UUID.randomUUID().toString();
        CreateVolumeRequest.NewVolume[] made = new CreateVolumeRequest.NewVolume[1];
        List<String> reservations = db.tx(dsl -> {
            VolumeType type = types.defaultFor(dsl, ctx.projectId(), settings.defaultVolumeType())
                    .orElseThrow(() -> new CinderException(CinderException.Kind.INTERNAL,
                            "The request cannot be fulfilled as the default volume type "
                                    + settings.defaultVolumeType() + " cannot be found."));
            List<String> uuids = reserve(dsl, ctx.projectId(), sizeGb, type);
            LocalDateTime now = BackupRepository.now();
            CreateVolumeRequest.NewVolume v = new CreateVolumeRequest.NewVolume(id, ctx.userId(), ctx.projectId(),
                    sizeGb, settings.availabilityZone(), name, description, type, Map.of(), now);
            // The row as Volume.create() writes it: the object's defaults included, no host yet.
            dsl.insertInto(VOLUMES)
                    .set(VOLUMES.ID, id).set(VOLUMES.USER_ID, ctx.userId()).set(VOLUMES.PROJECT_ID, ctx.projectId())
                    .set(VOLUMES.SIZE, sizeGb).set(VOLUMES.AVAILABILITY_ZONE, settings.availabilityZone())
                    .set(VOLUMES.STATUS, "creating").set(VOLUMES.ATTACH_STATUS, "detached")
                    .set(VOLUMES.DISPLAY_NAME, name).set(VOLUMES.DISPLAY_DESCRIPTION, description)
                    .set(VOLUMES.VOLUME_TYPE_ID, type.id()).set(VOLUMES.BOOTABLE, (byte) 0)
                    .set(VOLUMES.MULTIATTACH, (byte) 0).set(VOLUMES.USE_QUOTA, (byte) 1)
                    .set(VOLUMES.SHARED_TARGETS, (byte) 1).set(VOLUMES.DELETED, (byte) 0)
                    .set(VOLUMES.CREATED_AT, now)
                    .execute();
            types.addCreatingWorker(dsl, id, now);
            made[0] = v;
            return uuids;
        });
        RpcContext rpcContext = RpcContext.of(ctx.userId(), ctx.projectId(), ctx.isAdmin(),
                new ArrayList<>(ctx.roles()), ctx.authToken(), null, null);
        try {
            oslo.cast(SCHEDULER_TOPIC, null, CreateVolumeRequest.METHOD,
                    CreateVolumeRequest.args(made[0], reservations, List.of(settings.availabilityZone())),
                    CreateVolumeRequest.VERSION, rpcContext);
        } catch (RuntimeException e) {
            // cinder's VolumeCastTask.revert: the new volume goes to error.
            LOG.error("create_volume for volume {} could not be cast to {}: {}", id, SCHEDULER_TOPIC, e.toString());
            db.txRun(dsl -> volumes.apply(dsl, dev.ember.model.VolumeLifecycle.CREATE_FAILED, id, null, Map.of()));
            throw e;
        }
        LOG.info("Creating volume {} of {} GB through {} (restore)", id, sizeGb, SCHEDULER_TOPIC);
        return awaitCreated(id);
    }

    /** cinder-api's restore loop: the volume as soon as it is no longer {@code creating}. */
    private Volume awaitCreated(String id) {
        long deadline = System.nanoTime() + settings.maxWait().toNanos();
        while (true) {
            Volume v = db.tx(dsl -> volumes.find(dsl, id)).orElseThrow(() -> CinderException.volumeNotFound(id));
            if (!"creating".equals(v.status())) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                // cinder-api would wait on; an API worker held forever helps no one. The answer is
                // the one an error would get, and the volume is left to cinder's own cleanup.
                LOG.warn("volume {} still creating after {}; answering as for a volume in error", id,
                        settings.maxWait());
                return new Volume(v.id(), v.userId(), v.projectId(), v.host(), v.size(), v.availabilityZone(),
                        "error", v.attachStatus(), v.previousStatus(), v.displayName(), v.displayDescription(),
                        v.volumeTypeId(), v.bootable(), v.multiattach(), v.encryptionKeyId(), v.createdAt(),
                        v.updatedAt());
            }
            try {
                Thread.sleep(settings.pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CinderException(CinderException.Kind.INTERNAL, "interrupted waiting for volume " + id);
            }
        }
    }

    /** QUOTAS.reserve(volumes=1, gigabytes=size, volumes_<type>=1, gigabytes_<type>=size), committed. */
    private List<String> reserve(DSLContext dsl, String projectId, int sizeGb, VolumeType type) {
        Map<String, Integer> deltas = new LinkedHashMap<>();
        deltas.put("volumes", 1);
        deltas.put("gigabytes", sizeGb);
        deltas.put("volumes_" + type.name(), 1);
        deltas.put("gigabytes_" + type.name(), sizeGb);
        try {
            return quotas.reserveAndCommit(dsl, projectId, deltas, (d, p, res) -> usage(d, p, res, type));
        } catch (QuotaRepository.OverQuotaException e) {
            // cinder's quota_utils.process_reserve_over_quota for resource 'volumes'.
            for (String over : e.overs) {
                if (over.contains("gigabytes")) {
                    throw CinderException.overLimit("VolumeSizeExceedsAvailableQuota", "Requested volume or snapshot "
                            + "exceeds allowed " + over + " quota. Requested " + sizeGb + "G, quota is "
                            + e.limits.get(over) + "G and " + e.consumed.get(over) + "G has been consumed.");
                }
                throw CinderException.overLimit("VolumeLimitExceeded", "Maximum number of volumes allowed ("
                        + e.limits.get(over) + ") exceeded for quota '" + over + "'.");
            }
            throw e;
        }
    }

    /** cinder's _sync_volumes / _sync_gigabytes (volumes plus snapshots), per type for the typed resources. */
    private static int usage(DSLContext dsl, String projectId, String resource, VolumeType type) {
        boolean typed = resource.endsWith("_" + type.name());
        var volumeCondition = VOLUMES.PROJECT_ID.eq(projectId).and(VOLUMES.DELETED.eq((byte) 0))
                .and(VOLUMES.USE_QUOTA.eq((byte) 1).or(VOLUMES.USE_QUOTA.isNull()));
        if (typed) {
            volumeCondition = volumeCondition.and(VOLUMES.VOLUME_TYPE_ID.eq(type.id()));
        }
        if (resource.startsWith("volumes")) {
            return dsl.fetchCount(VOLUMES, volumeCondition);
        }
        BigDecimal vol = dsl.select(org.jooq.impl.DSL.coalesce(org.jooq.impl.DSL.sum(VOLUMES.SIZE), BigDecimal.ZERO))
                .from(VOLUMES).where(volumeCondition).fetchOne(0, BigDecimal.class);
        var snapCondition = SNAPSHOTS.PROJECT_ID.eq(projectId).and(SNAPSHOTS.DELETED.eq((byte) 0))
                .and(SNAPSHOTS.USE_QUOTA.eq((byte) 1).or(SNAPSHOTS.USE_QUOTA.isNull()));
        if (typed) {
            snapCondition = snapCondition.and(SNAPSHOTS.VOLUME_TYPE_ID.eq(type.id()));
        }
        BigDecimal snap = dsl.select(org.jooq.impl.DSL.coalesce(org.jooq.impl.DSL.sum(SNAPSHOTS.VOLUME_SIZE),
                BigDecimal.ZERO)).from(SNAPSHOTS).where(snapCondition).fetchOne(0, BigDecimal.class);
        return vol.add(snap).intValue();
    }
}
