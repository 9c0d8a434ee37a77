package dev.ember.model;

/** cinder's names of the backup quota resources (its {@code quota_usages.resource} values). */
public final class QuotaResources {

    public static final String BACKUPS = "backups";
    public static final String BACKUP_GIGABYTES = "backup_gigabytes";

    private QuotaResources() {
    }
}
