package dev.ember.driver.rbd;

import dev.ember.ceph.CephException;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;

/** Snapshot names of RBD images, as the planners take them. */
final class ImageSnapshots {

    private ImageSnapshots() {
    }

    static List<String> names(RbdImage image) throws CephException {
        return image.listSnapshots().stream().map(Snapshot::name).toList();
    }

    /** Snapshot names of an image of the pool (empty when it is gone), for the planners. */
    static Function<String, List<String>> in(Pool pool) {
        return image -> {
            try (RbdImage img = pool.openImageReadOnly(image, null)) {
                return names(img);
            } catch (ImageNotFoundException e) {
                return List.of();
            } catch (CephException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
