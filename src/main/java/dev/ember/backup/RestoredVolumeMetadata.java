package dev.ember.backup;

import dev.ember.keymgr.KeyManagerException;
import dev.ember.model.Backup;
import dev.ember.model.Volume;
import org.jooq.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

import static dev.ember.db.generated.Tables.BACKUPS;
import static dev.ember.db.generated.Tables.VOLUMES;

/**
 * What cinder's restore does after the data: the driver's put_metadata of each stored volume
 * metadata, then the manager's key housekeeping (_run_restore): when the restore changed the
 * volume's key, the volume's previous key is deleted and the volume gets a new clone of the
 * backup's key (a backup that predates backups.encryption_key_id adopts the restored id).
 */
final class RestoredVolumeMetadata {

    private static final Logger LOG = LoggerFactory.getLogger(RestoredVolumeMetadata.class);

    private RestoredVolumeMetadata() {
    }

    /** Applies {@code metas} to {@code volume} (as read before the restore) and settles its key. */
    static void apply(ManagerContext ctx, Backup backup, Volume volume, List<String> metas) throws KeyManagerException {
        if (!metas.isEmpty()) {
            ctx.txRun(dsl -> metas.forEach(json -> BackupMetadataApi.put(dsl, volume.id(), json)));
        }
        String restoredKey = ctx.tx(dsl -> ctx.volumes().find(dsl, volume.id())).map(Volume::encryptionKeyId).orElse(null);
        String origKey = volume.encryptionKeyId();
        if (Objects.equals(restoredKey, origKey)) {
            return;
        }
        LOG.info("updating encryption key ID for volume {} from backup {}", volume.id(), backup.id());
        if (origKey != null) {
            ctx.keys().deleteKey(origKey);
        }
        String backupKey = backup.encryptionKeyId();
        if (backupKey == null) {
            backupKey = restoredKey;
            String adopted = restoredKey;
            ctx.txRun(dsl -> ctx.backups().update(dsl, backup.id(),
                    Collections.<Field<?>, Object>singletonMap(BACKUPS.ENCRYPTION_KEY_ID, adopted)));
        }
        String newKey = ctx.keys().cloneKey(backupKey);
        ctx.txRun(dsl -> ctx.volumes().update(dsl, volume.id(),
                Collections.<Field<?>, Object>singletonMap(VOLUMES.ENCRYPTION_KEY_ID, newKey)));
    }
}
