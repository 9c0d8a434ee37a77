package dev.ember.driver.rbd;

import dev.ember.ceph.Extent;
import dev.ember.ceph.RbdImage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Listing what an RBD image holds or changed, as extents. */
final class Diffs {

    /** Diff windows: extents are listed one window at a time to bound memory. */
    static final long WINDOW = 1L << 30;

    private Diffs() {
    }

    /** The extents of {@code [off, off + len)} that changed since {@code fromSnap} (allocated ones when null). */
    static List<Extent> list(RbdImage image, String fromSnap, long off, long len) throws IOException {
        List<Extent> out = new ArrayList<>();
        image.diff(fromSnap, off, len, false, out::add);
        return out;
    }

    /** Joins touching extents of the same kind (diffs report per object). */
    static List<Extent> merged(List<Extent> extents) {
        List<Extent> out = new ArrayList<>(extents.size());
        Extent cur = null;
        for (Extent e : extents) {
            if (cur != null && cur.exists() == e.exists() && cur.end() == e.offset()) {
                cur = new Extent(cur.offset(), cur.length() + e.length(), cur.exists());
            } else {
                if (cur != null) {
                    out.add(cur);
                }
                cur = e;
            }
        }
        if (cur != null) {
            out.add(cur);
        }
        return out;
    }

    /** True when the image has no allocated extent at all (a new volume). */
    static boolean isEmpty(RbdImage image) throws IOException {
        final class Found extends IOException {
            Found() {
                super("allocated");
            }
        }
        try {
            image.diff(null, 0, image.size(), true, e -> {
                if (e.exists()) {
                    throw new Found();
                }
            });
            return true;
        } catch (Found f) {
            return false;
        }
    }
}
