package dev.ember.driver.rbd;

import dev.ember.ceph.CephException;
import dev.ember.ceph.ImageBusyException;
import dev.ember.ceph.ImageHasSnapshotsException;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.ObjectNotFoundException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * Removing backup images, snapshots and objects, and backup snapshots from sources. What is gone
 * already counts as removed: a delete or cleanup may run again after one that was cut short.
 */
final class Removal {

    private static final Logger LOG = LoggerFactory.getLogger(Removal.class);
    private static final int REMOVE_ATTEMPTS = 4;
    private static final long REMOVE_RETRY_MILLIS = 500;

    private Removal() {
    }

    static void removeSnapshot(Pool pool, String image, String snap) throws CephException {
        try (RbdImage img = pool.openImage(image)) {
            img.removeSnapshotIfExists(snap);
        } catch (ImageNotFoundException e) {
            // gone already
        }
    }

    /**
     * Removes a base left without any backup snapshot; one that is open (a first backup is filling
     * it right now and has not snapshotted it yet) or has gained a snapshot is kept.
     */
    static void removeEmptyBase(Pool pool, String base) {
        try {
            pool.removeImage(base);
            LOG.info("removed {}/{}: a base without backup snapshots", pool.name(), base);
        } catch (ImageNotFoundException e) {
            // gone already
        } catch (CephException e) {
            LOG.info("kept {}/{} without backup snapshots: {}", pool.name(), base, e.getMessage());
        }
    }

    /**
     * Removes an image, retrying while it is busy (a watcher that is going away). When it still
     * has snapshots: {@code withSnapshots} removes them first (our own failed backup); otherwise a
     * backup snapshot taken meanwhile keeps the image, and anything else is an error.
     */
    static void removeImage(Pool pool, String image, boolean withSnapshots) throws IOException, BackupDriverException {
        for (int attempt = 1; ; attempt++) {
            try {
                if (withSnapshots) {
                    try (RbdImage img = pool.openImage(image)) {
                        img.removeAllSnapshots();
                    }
                }
                pool.removeImage(image);
                return;
            } catch (ImageNotFoundException e) {
                return;
            } catch (ImageBusyException e) {
                if (attempt >= REMOVE_ATTEMPTS) {
                    throw new BackupDriverException("Image " + pool.name() + "/" + image + " is still in use after "
                            + attempt + " attempts to remove it: " + e.getMessage(), e);
                }
                sleep(REMOVE_RETRY_MILLIS);
            } catch (ImageHasSnapshotsException e) {
                List<String> left = ImageSnapshots.in(pool).apply(image);
                if (left.stream().anyMatch(n -> SourceSnapshot.parse(n).isPresent())) {
                    LOG.info("image {}/{} kept: it holds backup snapshots taken meanwhile {}", pool.name(), image, left);
                    return;
                }
                throw new BackupDriverException("Image " + pool.name() + "/" + image
                        + " cannot be removed: it has snapshots that are not backup snapshots: " + left, e);
            }
        }
    }

    /**
     * Removes the source snapshots no later backup can start from, once the backup is complete; a
     * failure only leaves a snapshot behind (the next backup's rotation removes it).
     */
    static void removeSourceSnapshots(BackupRef backup, RbdDevice src, List<String> names) {
        for (String name : names) {
            try {
                LOG.info("backup {}: removing backup snapshot {} from {}: no later backup starts from it", backup.id(),
                        name, src);
                ignoreMissing(() -> src.image().removeSnapshot(name));
            } catch (CephException e) {
                LOG.warn("backup {}: could not remove the snapshot {} from {}: {}", backup.id(), name, src,
                        e.getMessage());
            }
        }
    }

    /** Runs a removal; an image or object that is gone already is fine. */
    static void ignoreMissing(CephCall call) throws CephException {
        try {
            call.run();
        } catch (ImageNotFoundException | ObjectNotFoundException e) {
            // already gone
        }
    }

    private static void sleep(long millis) throws BackupDriverException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupDriverException("interrupted");
        }
    }

    interface CephCall {
        void run() throws CephException;
    }
}
