package dev.ember.model;

import java.util.Locale;

/** cinder's BackupStatus field values, as stored in {@code backups.status}. */
public enum BackupStatus {
    CREATING, AVAILABLE, DELETING, DELETED, RESTORING, ERROR, ERROR_DELETING;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BackupStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return value();
    }
}
