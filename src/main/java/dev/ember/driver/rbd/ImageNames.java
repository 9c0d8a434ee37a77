package dev.ember.driver.rbd;

/** cinder's names for RBD images and objects of the backup driver. */
public final class ImageNames {

    private ImageNames() {
    }

    /** The source volume's image in the volumes pool. */
    public static String volume(String volumeId) {
        return "volume-" + volumeId;
    }

    /** The single differential base of a volume (the seed lab's layout). */
    public static String legacyBase(String volumeId) {
        return "volume-" + volumeId + ".backup.base";
    }

    /** A full-copy image, and in the per-chain layout the base of the chain started by that backup. */
    public static String perBackup(String volumeId, String backupId) {
        return "volume-" + volumeId + ".backup." + backupId;
    }

    /** The RADOS object holding the volume's metadata at backup time. */
    public static String meta(String backupId) {
        return "backup." + backupId + ".meta";
    }
}
