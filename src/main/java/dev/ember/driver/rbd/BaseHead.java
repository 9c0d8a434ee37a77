package dev.ember.driver.rbd;

import dev.ember.ceph.Extent;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The head of a differential base. It must be a state of the source at least as new as every
 * snapshot on the base, since the next differential (Ember's or cinder's import-diff) writes onto
 * it from any of them; a differential cut short leaves it part-written, and this puts it back.
 */
final class BaseHead {

    private static final Logger LOG = LoggerFactory.getLogger(BaseHead.class);

    private final RbdOptions options;

    BaseHead(RbdOptions options) {
        this.options = options;
    }

    /** Puts a base's head back to {@code snap} when it differs (cheap to ask: bases have fast-diff). */
    void settle(Pool backups, String base, String snap) throws IOException {
        boolean dirty;
        try (RbdImage head = backups.openImageReadOnly(base, null);
             RbdImage at = backups.openImageReadOnly(base, snap)) {
            dirty = head.size() != at.size() || !head.diff(snap, true).isEmpty();
        } catch (ImageNotFoundException e) {
            return;
        }
        if (dirty) {
            LOG.warn("head of base {}/{} was written since its newest snapshot {} (a differential cut short): putting it back",
                    backups.name(), base, snap);
            revert(backups, base, snap);
        }
    }

    /** Puts the base's head back to its newest backup snapshot after a failed differential. */
    void revertToNewest(Pool backups, String base) throws IOException {
        Optional<SourceSnapshot> newest = ImageSnapshots.in(backups).apply(base).stream()
                .map(SourceSnapshot::parse).flatMap(Optional::stream)
                .sorted(SourceSnapshot.NEWEST_FIRST).findFirst();
        if (newest.isPresent()) {
            revert(backups, base, newest.get().name());
        }
    }

    /** Puts the base's head back to {@code snap}. */
    private void revert(Pool backups, String base, String snap) throws IOException {
        try (RbdImage head = backups.openImage(base);
             RbdImage at = backups.openImageReadOnly(base, snap)) {
            long size = at.size();
            if (head.size() != size) {
                head.resize(size);
            }
            // Every extent that differs (written or discarded since) takes the snapshot's bytes back.
            List<Extent> changed = head.diff(snap, false);
            try (BlockPipeline copy = new BlockPipeline(BlockPipeline.source(at), BlockPipeline.sink(head),
                    BlockPipeline.Zeros.ZERO, options.ioSize(), options.inFlight())) {
                for (Extent e : Diffs.merged(changed.stream().map(x -> new Extent(x.offset(), x.length(), true)).toList())) {
                    copy.copy(e.offset(), e.length());
                }
                copy.finish();
            }
        }
    }
}
