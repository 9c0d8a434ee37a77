package dev.ember.device.rbd;

/** What the backup reads. Only the live volume image can carry backup snapshots between backups. */
public enum SourceKind {
    /** The volume's own RBD image ({@code volumes/volume-<id>}). */
    LIVE_VOLUME,
    /** A temporary clone made for an in-use ({@code --force}) backup. */
    TEMPORARY_CLONE,
    /** A cinder snapshot ({@code --snapshot-id}). */
    CINDER_SNAPSHOT
}
