package dev.ember.ceph;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * JNA binding of the part of librbd (C API, {@code librbd.so.1}, Ceph 16) that Ember uses; rados-java
 * has no diff iteration, discard, aio or read2/write2. Loaded by full soname because Debian ships no
 * unversioned {@code librbd.so} without {@code librbd-dev}.
 *
 * <p>Mapping (LP64 Linux): {@code size_t}/{@code ssize_t}/{@code uint64_t} → {@code long},
 * {@code uint8_t}/{@code bool} → {@code byte}, handles ({@code rbd_image_t}, {@code rados_ioctx_t},
 * {@code rbd_completion_t}) → {@link Pointer}. Every call blocks the calling thread.
 */
interface LibRbd extends Library {

    /** {@code int (*)(uint64_t offset, size_t len, int exists, void *arg)}. */
    interface DiffCallback extends Callback {
        int invoke(long offset, long length, int exists, Pointer arg);
    }

    // image options (rbd_image_options_t)
    int RBD_IMAGE_OPTION_FORMAT = 0;
    int RBD_IMAGE_OPTION_FEATURES = 1;
    int RBD_IMAGE_OPTION_ORDER = 2;
    int RBD_IMAGE_OPTION_STRIPE_UNIT = 3;
    int RBD_IMAGE_OPTION_STRIPE_COUNT = 4;
    int RBD_IMAGE_OPTION_DATA_POOL = 10;

    /** sizeof(rbd_snap_info_t): uint64_t id, uint64_t size, const char *name. */
    int SNAP_INFO_SIZE = 24;
    /** sizeof(rbd_image_info_t) on LP64 is 160; we hand librbd a larger buffer. */
    int IMAGE_INFO_BUFFER = 256;
    /** sizeof(rbd_image_spec_t): char *id, char *name. */
    int IMAGE_SPEC_SIZE = 16;

    void rbd_version(IntByReference major, IntByReference minor, IntByReference extra);

    void rbd_image_options_create(PointerByReference opts);
    void rbd_image_options_destroy(Pointer opts);
    int rbd_image_options_set_uint64(Pointer opts, int optname, long optval);
    int rbd_image_options_set_string(Pointer opts, int optname, String optval);

    int rbd_create4(Pointer io, String name, long size, Pointer opts);
    int rbd_remove(Pointer io, String name);
    int rbd_list2(Pointer io, Pointer images, LongByReference maxImages);
    void rbd_image_spec_list_cleanup(Pointer images, long numImages);

    int rbd_clone3(Pointer parentIo, String parentName, String parentSnapName, Pointer childIo, String childName,
                   Pointer opts);

    int rbd_open(Pointer io, String name, PointerByReference image, String snapName);
    int rbd_open_read_only(Pointer io, String name, PointerByReference image, String snapName);
    int rbd_close(Pointer image);

    int rbd_get_size(Pointer image, LongByReference size);
    int rbd_get_features(Pointer image, LongByReference features);
    int rbd_stat(Pointer image, Pointer info, long infoSize);
    int rbd_resize(Pointer image, long size);

    int rbd_snap_create(Pointer image, String snapName);
    int rbd_snap_remove(Pointer image, String snapName);
    int rbd_snap_list(Pointer image, Pointer snaps, IntByReference maxSnaps);
    void rbd_snap_list_end(Pointer snaps);
    int rbd_snap_exists(Pointer image, String snapName, ByteByReference exists);
    int rbd_snap_protect(Pointer image, String snapName);
    int rbd_snap_unprotect(Pointer image, String snapName);
    int rbd_snap_is_protected(Pointer image, String snapName, IntByReference isProtected);
    int rbd_snap_set(Pointer image, String snapName);

    int rbd_diff_iterate2(Pointer image, String fromSnapName, long offset, long length,
            byte includeParent, byte wholeObject, DiffCallback callback, Pointer arg);

    long rbd_read2(Pointer image, long offset, long length, Pointer buf, int opFlags);
    long rbd_write2(Pointer image, long offset, long length, Pointer buf, int opFlags);
    int rbd_discard(Pointer image, long offset, long length);
    long rbd_write_zeroes(Pointer image, long offset, long length, int zeroFlags, int opFlags);
    int rbd_flush(Pointer image);

    int rbd_aio_create_completion(Pointer cbArg, Callback completeCb, PointerByReference completion);
    int rbd_aio_read2(Pointer image, long offset, long length, Pointer buf, Pointer completion, int opFlags);
    int rbd_aio_write2(Pointer image, long offset, long length, Pointer buf, Pointer completion, int opFlags);
    int rbd_aio_discard(Pointer image, long offset, long length, Pointer completion);
    int rbd_aio_is_complete(Pointer completion);
    int rbd_aio_wait_for_complete(Pointer completion);
    long rbd_aio_get_return_value(Pointer completion);
    void rbd_aio_release(Pointer completion);

    /** The loaded library; loading happens on first use, so a machine without librbd fails only then. */
    static LibRbd get() {
        return Holder.INSTANCE;
    }

    /** Lazy holder: class initialisation loads the library once. */
    final class Holder {
        static final LibRbd INSTANCE = Native.load("librbd.so.1", LibRbd.class);

        private Holder() {
        }
    }
}
