package dev.ember.driver.rbd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ember.ceph.CephException;
import dev.ember.ceph.Pool;
import dev.ember.driver.BackupRef;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The {@code backup.<id>.meta} object beside a backup's image: the volume metadata the manager
 * gathered (cinder's BackupMetadataAPI JSON, stored as it is), or when it gave none a version-2
 * container with what the backup row knows.
 */
final class MetaObject {

    static final int METADATA_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetaObject() {
    }

    static void write(Pool backups, BackupRef backup) throws CephException {
        backups.writeObject(ImageNames.meta(backup.id()), json(backup).getBytes(StandardCharsets.UTF_8));
    }

    /** The object's text; empty when the backup has none. */
    static Optional<String> read(Pool backups, String backupId) throws CephException {
        String oid = ImageNames.meta(backupId);
        if (!backups.objectExists(oid)) {
            return Optional.empty();
        }
        return Optional.of(new String(backups.readObject(oid), StandardCharsets.UTF_8));
    }

    static String json(BackupRef backup) {
        if (backup.volumeMeta() != null) {
            return backup.volumeMeta();
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", METADATA_VERSION);
        ObjectNode base = root.putObject("volume-base-metadata");
        base.put("id", backup.volumeId());
        base.put("display_name", backup.displayName());
        base.put("display_description", backup.displayDescription());
        return root.toString();
    }
}
