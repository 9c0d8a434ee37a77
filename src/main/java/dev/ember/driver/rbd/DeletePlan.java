package dev.ember.driver.rbd;

import java.util.List;

/**
 * What deleting one RBD backup removes: its snapshot from the base (the base too when that was
 * the last backup snapshot on it), or its full-copy image; and its metadata object.
 *
 * @param image          the image holding the backup (null when nothing is left to remove)
 * @param snapshots      this backup's snapshots on {@code image} (normally one)
 * @param removeImage    whether the image goes too
 */
public record DeletePlan(String image, List<String> snapshots, boolean removeImage, String metaObject) {
}
