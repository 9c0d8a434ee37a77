package dev.ember.backup;

import dev.ember.error.CinderException;
import dev.ember.model.Backup;
import dev.ember.model.BackupLifecycle;
import dev.ember.rpc.BackupRpc;
import org.jooq.Field;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.ember.backup.FailReason.truncate;
import static dev.ember.db.generated.Tables.BACKUPS;

/**
 * cinder's export_record and import_record on the manager: a backup's row as the record another
 * deployment imports ({@link ImportedRecord}), and such a record written onto the row the API
 * created for it.
 */
final class BackupRecords {

    private final ManagerContext ctx;

    BackupRecords(ManagerContext ctx) {
        this.ctx = ctx;
    }

    BackupRpc.ExportedRecord export(String backupId) {
        Backup backup = ctx.tx(dsl -> ctx.backups().find(dsl, backupId))
                .orElseThrow(() -> CinderException.backupNotFound(backupId));
        if (!BackupLifecycle.EXPORTABLE.contains(backup.status())) {
            throw CinderException.invalidBackup("Backup status must be available and not " + backup.status().value() + ".");
        }
        if (!ctx.isOurs(backup)) {
            throw CinderException.invalidBackup("Backup service " + backup.service()
                    + " does not support exporting this backup.");
        }
        return new BackupRpc.ExportedRecord(backup.service(), ImportedRecord.encode(backup, Map.of()));
    }

    void importInto(String backupId, String backupService, String backupUrl) {
        Backup row = ctx.tx(dsl -> ctx.backups().find(dsl, backupId)).orElse(null);
        if (row == null) {
            return;
        }
        if (backupService == null || !backupService.startsWith(ctx.driver().serviceName())) {
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.IMPORT_FAILED, row,
                    Map.of(BACKUPS.FAIL_REASON, truncate("Import record failed, cannot find backup service to perform "
                            + "the import. Request service " + backupService + ".")),
                    LifecycleRecorder.VolumeTarget.none()));
            return;
        }
        try {
            ImportedRecord rec = ImportedRecord.decode(backupUrl);
            for (String required : List.of("display_name", "display_description", "container", "size",
                    "service_metadata", "object_count", "id")) {
                if (!rec.fields().has(required)) {
                    throw CinderException.invalidBackup("Driver successfully decoded imported backup data, but there "
                            + "are missing fields (" + required + ").");
                }
            }
            if (!backupId.equals(rec.id())) {
                throw CinderException.invalidBackup("Trying to import backup metadata from id " + rec.id()
                        + " into backup " + backupId + ".");
            }
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.IMPORT_FINISHED, row, columns(rec),
                    LifecycleRecorder.VolumeTarget.none()));
        } catch (RuntimeException e) {
            ctx.txRun(dsl -> ctx.lifecycle().apply(dsl, BackupLifecycle.IMPORT_FAILED, row,
                    Map.of(BACKUPS.FAIL_REASON, truncate(e.getMessage())), LifecycleRecorder.VolumeTarget.none()));
        }
    }

    /** The backup's columns from {@code rec}, with this host, its driver and its zone. */
    private Map<Field<?>, Object> columns(ImportedRecord rec) {
        Map<Field<?>, Object> c = new HashMap<>();
        c.put(BACKUPS.DISPLAY_NAME, rec.text("display_name"));
        c.put(BACKUPS.DISPLAY_DESCRIPTION, rec.text("display_description"));
        c.put(BACKUPS.CONTAINER, rec.text("container"));
        c.put(BACKUPS.SIZE, rec.size());
        c.put(BACKUPS.SERVICE_METADATA, rec.text("service_metadata"));
        c.put(BACKUPS.OBJECT_COUNT, rec.fields().path("object_count").asInt());
        c.put(BACKUPS.SERVICE, ctx.driver().serviceName());
        c.put(BACKUPS.HOST, ctx.host());
        // cinder's manager import_record overwrites the zone with its own
        // (storage_availability_zone), whatever the record says.
        c.put(BACKUPS.AVAILABILITY_ZONE, ctx.availabilityZone().get());
        if (rec.text("volume_id") != null) {
            c.put(BACKUPS.VOLUME_ID, rec.text("volume_id"));
        }
        c.put(BACKUPS.PARENT_ID, rec.text("parent_id"));
        c.put(BACKUPS.SNAPSHOT_ID, rec.text("snapshot_id"));
        c.put(BACKUPS.DATA_TIMESTAMP, rec.time("data_timestamp"));
        c.put(BACKUPS.ENCRYPTION_KEY_ID, rec.text("encryption_key_id"));
        // cinder's manager updates the row with the record's fields (all but name, user_id,
        // project_id, deleted_at, deleted and status): the backup keeps its creation time, and
        // with it its place in lists ordered by created_at.
        if (rec.time("created_at") != null) {
            c.put(BACKUPS.CREATED_AT, rec.time("created_at"));
        }
        return c;
    }
}
