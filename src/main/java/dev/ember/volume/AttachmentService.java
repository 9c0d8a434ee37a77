package dev.ember.volume;

import dev.ember.model.VolumeTransition;
import dev.ember.model.VolumeLifecycle;

import dev.ember.auth.Policy;
import dev.ember.auth.RequestContext;
import dev.ember.db.AttachmentRepository;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.VolumeRepository;
import dev.ember.error.CinderException;
import dev.ember.model.Attachment;
import dev.ember.model.Volume;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.ember.db.generated.Tables.VOLUMES;
import static dev.ember.db.generated.Tables.VOLUME_ATTACHMENT;

/**
 * The attachments API (3.27+) of the volume service: what cinder's volume API and manager do to
 * the database for {@code attachment-create}, {@code -complete} and {@code -delete}. There is no
 * export to a host: a connector only moves the attachment to {@code attaching} and yields
 * connection info naming the image. Blocking.
 */
public final class AttachmentService {

    private final Database db;
    private final VolumeRepository volumes;
    private final AttachmentRepository attachments;
    private final String host;
    private final String connectionType;
    private final String poolName;
    private final Policy policy;

    /**
     * @param connectionType {@code rbd} or {@code local}, the {@code driver_volume_type} of the
     *                       connection info
     * @param poolName       the RBD pool (null for the file profile)
     */
    public AttachmentService(Database db, VolumeRepository volumes, AttachmentRepository attachments, String host,
                             String connectionType, String poolName, Policy policy) {
        this.policy = policy;
        this.db = db;
        this.volumes = volumes;
        this.attachments = attachments;
        this.host = host;
        this.connectionType = connectionType;
        this.poolName = poolName;
    }

    public static CinderException notFound(String id) {
        return CinderException.notFound("Volume attachment could not be found with filter: attachment_id = " + id + ".");
    }

    /**
     * The attachment as cinder's {@code VolumeAttachment.get_by_id} finds it: its project is its
     * volume's, and another project's attachment is missing for a project-scoped caller. cinder's
     * attachment show and list check no policy.
     */
    public Attachment get(RequestContext ctx, String id) {
        return db.tx(dsl -> attachments.find(dsl, id).filter(a -> volumes.find(dsl, a.volumeId())
                .filter(v -> ctx.finds(v.projectId())).isPresent()))
                .orElseThrow(() -> notFound(id));
    }

    /**
     * {@code rule} with the attachment as target, as cinder's {@code context.authorize(...,
     * target_obj=attachment)}: the caller's user id, the attachment's (its volume's) project.
     */
    private void authorize(RequestContext ctx, String rule, Attachment a) {
        String project = db.tx(dsl -> volumes.find(dsl, a.volumeId()).map(Volume::projectId).orElse(null));
        policy.enforce(rule, ctx, Policy.target(project, ctx.userId()));
    }

    public List<Attachment> list(RequestContext ctx, boolean allTenants, String volumeId, String instanceId,
                                 String status, int limit, int offset) {
        return db.tx(dsl -> attachments.list(dsl, ctx.listScope(allTenants), volumeId, instanceId, status, limit, offset));
    }

    public List<Attachment> ofVolume(String volumeId) {
        return db.tx(dsl -> attachments.ofVolume(dsl, volumeId));
    }

    /**
     * cinder's {@code attachment_create}: reserves the volume ({@code available} → {@code reserved},
     * cinder's {@code _attachment_reserve}) and records a {@code reserved} attachment; with a
     * connector the attachment is updated to {@code attaching} and carries connection info.
     *
     * @param connectorJson the connector object as JSON, or null for none
     */
    public Attachment create(RequestContext ctx, String volumeId, String instanceUuid, String connectorJson,
                             String mode) {
        String id = UUID.randomUUID().toString();
        db.txRun(dsl -> {
            Volume v = volumes.lock(dsl, volumeId).filter(x -> ctx.finds(x.projectId()))
                    .orElseThrow(() -> CinderException.volumeNotFound(volumeId));
            policy.enforce("volume:attachment_create", ctx, Policy.target(v.projectId(), v.userId()));
            List<String> expected = v.multiattach() ? List.of("available", "in-use", "downloading")
                    : List.of("available", "downloading");
            if (expected.contains(v.status())) {
                volumes.apply(dsl, VolumeLifecycle.ATTACH_RESERVED, v.id(), v.status(), Map.of());
            } else {
                boolean override = instanceUuid != null && Set.of("in-use", "reserved").contains(v.status())
                        && attachments.ofVolume(dsl, v.id()).stream().anyMatch(a -> instanceUuid.equals(a.instanceUuid()));
                if (!override) {
                    throw CinderException.invalidVolume("Volume " + v.id() + " status must be " + orList(expected));
                }
            }
            LocalDateTime now = BackupRepository.now();
            attachments.insert(dsl, new Attachment(id, v.id(), null, instanceUuid, null, null, null, null,
                    "reserved", null, null, now, now));
            if (connectorJson != null) {
                attach(dsl, v, id, connectorJson, mode == null ? "rw" : mode);
            }
        });
        return get(ctx, id);
    }

    /** cinder's volume manager {@code attachment_update}: connection info, {@code attaching}. */
    private void attach(org.jooq.DSLContext dsl, Volume v, String attachmentId, String connectorJson, String mode) {
        String hostName = null;
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(connectorJson);
            if (node != null && node.hasNonNull("host")) {
                hostName = node.get("host").asText();
            }
        } catch (java.io.IOException e) {
            // keep the host unknown
        }
        io.vertx.core.json.JsonObject data = new io.vertx.core.json.JsonObject()
                .put("name", poolName == null ? v.name() : poolName + "/" + v.name())
                .put("volume_id", v.id())
                .put("access_mode", mode)
                .put("discard", true);
        String info = new io.vertx.core.json.JsonObject().put("driver_volume_type", connectionType)
                .put("data", data).put("attachment_id", attachmentId).encode();
        Map<org.jooq.Field<?>, Object> changes = new LinkedHashMap<>();
        changes.put(VOLUME_ATTACHMENT.ATTACH_STATUS, "attaching");
        changes.put(VOLUME_ATTACHMENT.ATTACH_MODE, mode);
        changes.put(VOLUME_ATTACHMENT.CONNECTION_INFO, info);
        changes.put(VOLUME_ATTACHMENT.CONNECTOR, connectorJson);
        changes.put(VOLUME_ATTACHMENT.ATTACHED_HOST, hostName);
        attachments.update(dsl, attachmentId, changes);
        volumes.apply(dsl, VolumeLifecycle.ATTACHING, v.id(), null, Map.of(VOLUMES.ATTACH_STATUS, "attaching"));
    }

    /** {@code PUT /attachments/{id}}: attaches with the connector (cinder's {@code attachment_update}). */
    public Attachment update(RequestContext ctx, String id, String connectorJson) {
        Attachment a = get(ctx, id);
        authorize(ctx, "volume:attachment_update", a);
        db.txRun(dsl -> {
            Volume v = volumes.lock(dsl, a.volumeId()).orElseThrow(() -> CinderException.volumeNotFound(a.volumeId()));
            attach(dsl, v, id, connectorJson, a.attachMode() == null ? "rw" : a.attachMode());
        });
        return get(ctx, id);
    }

    /** {@code os-complete} (3.44): attachment {@code attached}, volume {@code in-use}/{@code attached}. */
    public void complete(RequestContext ctx, String id) {
        Attachment a = get(ctx, id);
        authorize(ctx, "volume:attachment_complete", a);
        db.txRun(dsl -> {
            Map<org.jooq.Field<?>, Object> changes = new LinkedHashMap<>();
            changes.put(VOLUME_ATTACHMENT.ATTACH_STATUS, "attached");
            if (a.attachTime() == null) {
                changes.put(VOLUME_ATTACHMENT.ATTACH_TIME, BackupRepository.now());
            }
            attachments.update(dsl, id, changes);
            attached(dsl, a.volumeId());
        });
    }

    /**
     * {@code DELETE /attachments/{id}}: the attachment is detached and removed; the volume goes
     * back to {@code available}/{@code detached} when none remains, else {@code in-use}. Answers the
     * volume's remaining attachments.
     */
    public List<Attachment> delete(RequestContext ctx, String id) {
        Attachment a = get(ctx, id);
        authorize(ctx, "volume:attachment_delete", a);
        return db.tx(dsl -> {
            volumes.lock(dsl, a.volumeId());
            attachments.softDelete(dsl, id);
            List<Attachment> remaining = attachments.ofVolume(dsl, a.volumeId());
            if (remaining.isEmpty()) {
                apply(dsl, a.volumeId(), VolumeLifecycle.DETACHED_WHILE_BACKING_UP, VolumeLifecycle.DETACHED, "detached");
            } else {
                attached(dsl, a.volumeId());
            }
            return remaining;
        });
    }

    private void attached(org.jooq.DSLContext dsl, String volumeId) {
        apply(dsl, volumeId, VolumeLifecycle.ATTACHED_WHILE_BACKING_UP, VolumeLifecycle.ATTACHED, "attached");
    }

    /**
     * Sets the status and attach status; while a backup reads the volume ({@code backing-up}) the
     * status it returns to afterwards ({@code previous_status}) is changed instead. The two
     * transitions' from-states are disjoint: one of them applies.
     */
    private void apply(org.jooq.DSLContext dsl, String volumeId, VolumeTransition whileBackingUp,
                       VolumeTransition otherwise, String attachStatus) {
        Map<org.jooq.Field<?>, Object> attach = Map.of(VOLUMES.ATTACH_STATUS, attachStatus);
        if (!volumes.apply(dsl, whileBackingUp, volumeId, null, attach)) {
            volumes.apply(dsl, otherwise, volumeId, null, attach);
        }
    }

    /** Removes the volume's attachments (reset-state with attach_status detached). */
    public void detachAll(org.jooq.DSLContext dsl, String volumeId) {
        for (Attachment a : attachments.ofVolume(dsl, volumeId)) {
            attachments.softDelete(dsl, a.id());
        }
    }

    public boolean hasAttachments(org.jooq.DSLContext dsl, String volumeId) {
        return !attachments.ofVolume(dsl, volumeId).isEmpty();
    }

    /** cinder's utils.build_or_str: "a or b or c". */
    static String orList(List<String> items) {
        return String.join(" or ", items);
    }

    public String host() {
        return host;
    }
}
