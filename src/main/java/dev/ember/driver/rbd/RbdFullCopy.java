package dev.ember.driver.rbd;

import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.device.VolumeDevice;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;

import static dev.ember.driver.rbd.RbdErrors.quietly;

/**
 * A full backup: the whole source copied into a new image of its own (all-zero data skipped),
 * then the metadata object. On failure both are removed again.
 */
final class RbdFullCopy {

    private final RbdOptions options;

    RbdFullCopy(RbdOptions options) {
        this.options = options;
    }

    void run(BackupRef backup, VolumeDevice source, Pool backups, String image, long size, ProgressListener progress)
            throws Exception {
        boolean created = false;
        try {
            backups.createImage(image, size, options.imageOptions());
            created = true;
            try (RbdImage dst = backups.openImage(image);
                 BlockPipeline copy = new BlockPipeline(BlockPipeline.source(source), BlockPipeline.sink(dst),
                         BlockPipeline.Zeros.SKIP, options.ioSize(), options.inFlight())) {
                for (long off = 0; off < size; off += options.chunkSize()) {
                    copy.copy(off, Math.min(options.chunkSize(), size - off));
                    progress.progress(Math.min(size, off + options.chunkSize()));
                }
                copy.finish();
            }
            MetaObject.write(backups, backup);
        } catch (Exception e) {
            if (created) {
                quietly(e, () -> Removal.removeImage(backups, image, true));
            }
            throw e;
        }
    }
}
