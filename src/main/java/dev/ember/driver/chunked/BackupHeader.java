package dev.ember.driver.chunked;

import dev.ember.driver.BackupRef;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields cinder writes at the top of both {@code _metadata} and {@code _sha256file}.
 *
 * @param createdAt Python's {@code str()} of the backup's created_at, see {@link #pythonStr}
 */
record BackupHeader(
        String version,
        String backupId,
        String volumeId,
        String backupName,
        String backupDescription,
        String createdAt) {

    /** cinder's {@code ChunkedBackupDriver.DRIVER_VERSION}; the only version restore knows. */
    static final String VERSION = "1.0.0";

    static BackupHeader of(BackupRef backup) {
        return new BackupHeader(VERSION, backup.id(), backup.volumeId(), backup.displayName(),
                backup.displayDescription(), pythonStr(backup.createdAt()));
    }

    /**
     * {@code str(backup.created_at)} as cinder evaluates it. Cinder's versioned objects attach UTC
     * to every datetime they load, so Python prints {@code 2026-11-23 12:16:50+00:00}; the
     * fraction appears only when there is one ({@code .123456}), as in Python.
     */
    static String pythonStr(LocalDateTime utc) {
        if (utc == null) {
            return "None";
        }
        String s = String.format("%04d-%02d-%02d %02d:%02d:%02d", utc.getYear(), utc.getMonthValue(),
                utc.getDayOfMonth(), utc.getHour(), utc.getMinute(), utc.getSecond());
        int micros = utc.getNano() / 1000;
        if (micros != 0) {
            s += String.format(".%06d", micros);
        }
        return s + "+00:00";
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("backup_id", backupId);
        m.put("volume_id", volumeId);
        m.put("backup_name", backupName);
        m.put("backup_description", backupDescription);
        m.put("created_at", createdAt);
        return m;
    }
}
