package dev.ember.db;

import dev.ember.db.generated.tables.records.VolumeAttachmentRecord;
import dev.ember.model.Attachment;
import dev.ember.model.ProjectScope;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.ember.db.generated.Tables.VOLUMES;
import static dev.ember.db.generated.Tables.VOLUME_ATTACHMENT;

/** Reads and writes cinder's {@code volume_attachment} table. Blocking. */
public final class AttachmentRepository {

    static Condition live() {
        return VOLUME_ATTACHMENT.DELETED.eq((byte) 0).or(VOLUME_ATTACHMENT.DELETED.isNull());
    }

    public Optional<Attachment> find(DSLContext dsl, String id) {
        return dsl.selectFrom(VOLUME_ATTACHMENT).where(VOLUME_ATTACHMENT.ID.eq(id)).and(live()).fetchOptional()
                .map(AttachmentRepository::toAttachment);
    }

    public List<Attachment> ofVolume(DSLContext dsl, String volumeId) {
        return dsl.selectFrom(VOLUME_ATTACHMENT).where(VOLUME_ATTACHMENT.VOLUME_ID.eq(volumeId)).and(live())
                .orderBy(VOLUME_ATTACHMENT.CREATED_AT, VOLUME_ATTACHMENT.ID).fetch()
                .map(AttachmentRepository::toAttachment);
    }

    /**
     * Live attachments of live volumes of {@code scope}'s projects (the volume's project), newest
     * first; the other filters null for none.
     */
    public List<Attachment> list(DSLContext dsl, ProjectScope scope, String volumeId, String instanceId,
                                 String attachStatus, int limit, int offset) {
        Condition c = live().and(VolumeRepository.live()).and(ProjectScopes.condition(scope, VOLUMES.PROJECT_ID));
        if (volumeId != null) {
            c = c.and(VOLUME_ATTACHMENT.VOLUME_ID.eq(volumeId));
        }
        if (instanceId != null) {
            c = c.and(VOLUME_ATTACHMENT.INSTANCE_UUID.eq(instanceId));
        }
        if (attachStatus != null) {
            c = c.and(VOLUME_ATTACHMENT.ATTACH_STATUS.eq(attachStatus));
        }
        return dsl.select(VOLUME_ATTACHMENT.fields()).from(VOLUME_ATTACHMENT).join(VOLUMES)
                .on(VOLUMES.ID.eq(VOLUME_ATTACHMENT.VOLUME_ID)).where(c)
                .orderBy(VOLUME_ATTACHMENT.CREATED_AT.desc(), VOLUME_ATTACHMENT.ID.desc())
                .limit(limit).offset(offset).fetchInto(VOLUME_ATTACHMENT).map(AttachmentRepository::toAttachment);
    }

    public void insert(DSLContext dsl, Attachment a) {
        VolumeAttachmentRecord r = dsl.newRecord(VOLUME_ATTACHMENT);
        r.setId(a.id());
        r.setVolumeId(a.volumeId());
        r.setAttachedHost(a.attachedHost());
        r.setInstanceUuid(a.instanceUuid());
        r.setMountpoint(a.mountpoint());
        r.setAttachTime(a.attachTime());
        r.setDetachTime(a.detachTime());
        r.setAttachMode(a.attachMode());
        r.setAttachStatus(a.attachStatus());
        r.setConnectionInfo(a.connectionInfo());
        r.setConnector(a.connector());
        r.setCreatedAt(a.createdAt());
        r.setUpdatedAt(a.updatedAt());
        r.setDeleted((byte) 0);
        r.store();
    }

    public void update(DSLContext dsl, String id, Map<Field<?>, Object> changes) {
        Map<Field<?>, Object> all = new LinkedHashMap<>(changes);
        all.putIfAbsent(VOLUME_ATTACHMENT.UPDATED_AT, BackupRepository.now());
        dsl.update(VOLUME_ATTACHMENT).set(all).where(VOLUME_ATTACHMENT.ID.eq(id)).and(live()).execute();
    }

    /** cinder's {@code volume_detached} + destroy: the row is marked detached and soft-deleted. */
    public void softDelete(DSLContext dsl, String id) {
        LocalDateTime now = BackupRepository.now();
        dsl.update(VOLUME_ATTACHMENT).set(VOLUME_ATTACHMENT.ATTACH_STATUS, "detached")
                .set(VOLUME_ATTACHMENT.DETACH_TIME, now).set(VOLUME_ATTACHMENT.DELETED, (byte) 1)
                .set(VOLUME_ATTACHMENT.DELETED_AT, now).set(VOLUME_ATTACHMENT.UPDATED_AT, now)
                .where(VOLUME_ATTACHMENT.ID.eq(id)).execute();
    }

    static Attachment toAttachment(VolumeAttachmentRecord r) {
        return new Attachment(r.getId(), r.getVolumeId(), r.getAttachedHost(), r.getInstanceUuid(), r.getMountpoint(),
                r.getAttachTime(), r.getDetachTime(), r.getAttachMode(), r.getAttachStatus(), r.getConnectionInfo(),
                r.getConnector(), r.getCreatedAt(), r.getUpdatedAt());
    }
}
