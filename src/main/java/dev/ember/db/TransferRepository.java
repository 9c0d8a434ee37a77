package dev.ember.db;

import dev.ember.db.generated.tables.records.TransfersRecord;
import dev.ember.model.Transfer;
import dev.ember.model.VolumeLifecycle;
import org.jooq.Condition;
import org.jooq.DSLContext;

import java.time.LocalDateTime;
import java.util.Map;
import java.util.List;
import java.util.Optional;

import static dev.ember.db.generated.Tables.SNAPSHOTS;
import static dev.ember.db.generated.Tables.TRANSFERS;
import static dev.ember.db.generated.Tables.VOLUMES;

/**
 * cinder's {@code transfers} table and the volume changes its db API makes with it
 * ({@code transfer_create}, {@code transfer_destroy}, {@code transfer_accept}). Blocking.
 */
public final class TransferRepository {

    private final VolumeRepository volumes = new VolumeRepository();

    private static Condition live() {
        return TRANSFERS.DELETED.eq((byte) 0).or(TRANSFERS.DELETED.isNull());
    }

    /**
     * Live transfers, oldest first (cinder's created_at, id order); {@code projectId} null for
     * every project's. A transfer belongs to the project of its volume, as cinder's
     * transfer_get_all_by_project joins them.
     */
    public List<Transfer> list(DSLContext dsl, String projectId, String name) {
        Condition c = live();
        if (projectId != null) {
            c = c.and(TRANSFERS.VOLUME_ID.in(dsl.select(VOLUMES.ID).from(VOLUMES).where(VOLUMES.PROJECT_ID.eq(projectId))));
        }
        if (name != null) {
            c = c.and(TRANSFERS.DISPLAY_NAME.eq(name));
        }
        return dsl.selectFrom(TRANSFERS).where(c).orderBy(TRANSFERS.CREATED_AT.asc(), TRANSFERS.ID.asc())
                .fetch().map(TransferRepository::toTransfer);
    }

    public Optional<Transfer> find(DSLContext dsl, String id) {
        return dsl.selectFrom(TRANSFERS).where(TRANSFERS.ID.eq(id)).and(live()).fetchOptional()
                .map(TransferRepository::toTransfer);
    }

    /** The project of the transfer's volume (null when the volume is gone). */
    public String volumeProject(DSLContext dsl, Transfer t) {
        return dsl.select(VOLUMES.PROJECT_ID).from(VOLUMES).where(VOLUMES.ID.eq(t.volumeId())).fetchOne(VOLUMES.PROJECT_ID);
    }

    /** cinder's transfer_create: the row, and the volume becomes {@code awaiting-transfer}. */
    public void insert(DSLContext dsl, Transfer t) {
        TransfersRecord r = dsl.newRecord(TRANSFERS);
        r.setId(t.id());
        r.setVolumeId(t.volumeId());
        r.setDisplayName(t.displayName());
        r.setSalt(t.salt());
        r.setCryptHash(t.cryptHash());
        r.setNoSnapshots((byte) (t.noSnapshots() ? 1 : 0));
        r.setSourceProjectId(t.sourceProjectId());
        r.setAccepted((byte) 0);
        r.setCreatedAt(t.createdAt());
        r.setUpdatedAt(t.createdAt());
        r.setDeleted((byte) 0);
        r.store();
        volumes.apply(dsl, VolumeLifecycle.TRANSFER_OFFERED, t.volumeId(), null, Map.of());
    }

    /** cinder's transfer_destroy: the row is deleted, an awaiting volume is available again. */
    public void destroy(DSLContext dsl, Transfer t) {
        LocalDateTime now = BackupRepository.now();
        volumes.apply(dsl, VolumeLifecycle.TRANSFER_ENDED, t.volumeId(), null, Map.of());
        dsl.update(TRANSFERS).set(TRANSFERS.DELETED, (byte) 1).set(TRANSFERS.DELETED_AT, now)
                .set(TRANSFERS.UPDATED_AT, now).where(TRANSFERS.ID.eq(t.id())).execute();
    }

    /**
     * cinder's accept_transfer and transfer_accept: the volume (and, unless the transfer says
     * otherwise, its snapshots) now belong to the accepting user and project; the transfer is
     * marked accepted and deleted.
     */
    public void accept(DSLContext dsl, Transfer t, String userId, String projectId) {
        LocalDateTime now = BackupRepository.now();
        volumes.apply(dsl, VolumeLifecycle.TRANSFER_ENDED, t.volumeId(), null,
                Map.of(VOLUMES.USER_ID, userId, VOLUMES.PROJECT_ID, projectId));
        if (!t.noSnapshots()) {
            dsl.update(SNAPSHOTS).set(SNAPSHOTS.USER_ID, userId).set(SNAPSHOTS.PROJECT_ID, projectId)
                    .set(SNAPSHOTS.UPDATED_AT, now).where(SNAPSHOTS.VOLUME_ID.eq(t.volumeId()))
                    .and(SNAPSHOTS.DELETED.eq((byte) 0).or(SNAPSHOTS.DELETED.isNull())).execute();
        }
        dsl.update(TRANSFERS).set(TRANSFERS.DELETED, (byte) 1).set(TRANSFERS.DELETED_AT, now)
                .set(TRANSFERS.UPDATED_AT, now).set(TRANSFERS.ACCEPTED, (byte) 1)
                .set(TRANSFERS.DESTINATION_PROJECT_ID, projectId).where(TRANSFERS.ID.eq(t.id())).execute();
    }

    private static Transfer toTransfer(TransfersRecord r) {
        return new Transfer(r.getId(), r.getVolumeId(), r.getDisplayName(), r.getSalt(), r.getCryptHash(),
                r.getNoSnapshots() != null && r.getNoSnapshots() != 0, r.getSourceProjectId(),
                r.getDestinationProjectId(), r.getAccepted() != null && r.getAccepted() != 0, r.getCreatedAt());
    }
}
