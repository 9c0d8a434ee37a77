package dev.ember.driver.chunked;

import dev.ember.driver.BackupRef;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The object name prefix of one backup, cinder posix/nfs style:
 * {@code volume_<volume_id>_<UTC %Y%m%d%H%M%S>_backup_<backup_id>}. It is stored in
 * {@code backups.service_metadata}, and every object of the backup is named from it.
 */
public record BackupPrefix(String value) {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    public BackupPrefix {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty object prefix");
        }
    }

    /** Cinder stamps the prefix with the time the backup runs; Ember uses created_at (also UTC). */
    public static BackupPrefix forBackup(BackupRef backup) {
        LocalDateTime at = backup.createdAt() != null ? backup.createdAt() : LocalDateTime.now(ZoneOffset.UTC);
        return new BackupPrefix("volume_" + backup.volumeId() + "_" + STAMP.format(at) + "_backup_" + backup.id());
    }

    /** Data object {@code n}, 1-based: {@code <prefix>-00001}. */
    public String objectName(int n) {
        return String.format("%s-%05d", value, n);
    }

    public String metadataName() {
        return value + "_metadata";
    }

    public String shaFileName() {
        return value + "_sha256file";
    }
}
