package dev.ember.driver.rbd;

/** Where new differential backups go. */
public enum BaseLayout {
    /** One base per volume, {@code volume-<id>.backup.base}, with source-snapshot rotation (the seed lab). */
    SINGLE_BASE,
    /** One base per full backup, {@code volume-<id>.backup.<full_id>}, as cinder Train+ writes it. */
    PER_CHAIN
}
