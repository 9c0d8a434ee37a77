package dev.ember.ceph;

import com.ceph.rados.IoCTX;
import com.ceph.rados.exceptions.RadosException;
import com.ceph.rados.jna.RadosObjectInfo;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An I/O context on one pool ({@code rados_ioctx_t}): the RBD images in it (create, remove, list,
 * open) and its small RADOS objects (such as the backup driver's {@code backup.<id>.meta}).
 * Closing the pool closes images opened through it that are still open. Thread-safe; every method
 * blocks (see {@link CephCluster}).
 */
public final class Pool implements AutoCloseable {
    private static final int READ_CHUNK = 1 << 20;

    private final CephCluster cluster;
    private final String name;
    private final Guard<IoCTX> guard;
    private final Set<RbdImage> images = ConcurrentHashMap.newKeySet();

    Pool(CephCluster cluster, String name, IoCTX ioctx) {
        this.cluster = cluster;
        this.name = name;
        this.guard = new Guard<>(ioctx, name);
    }

    public String name() {
        return name;
    }

    public CephCluster cluster() {
        return cluster;
    }

    private String spec(String image) {
        return name + "/" + image;
    }

    // ------------------------------------------------------------------ images ---

    /** Creates a format-2 image with librbd's default features/order. */
    public void createImage(String image, long size) throws CephException {
        createImage(image, size, ImageOptions.defaults());
    }

    /** {@code rbd_create4}; {@link ImageExistsException} if the name is taken. */
    public void createImage(String image, long size, ImageOptions options) throws CephException {
        LibRbd lib = LibRbd.get();
        Pointer io = guard.acquire("rbd_create4").getPointer();
        Pointer opts = null;
        try {
            PointerByReference ref = new PointerByReference();
            lib.rbd_image_options_create(ref);
            opts = ref.getValue();
            setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_FORMAT, 2L, image);
            if (options.features() != null) {
                setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_FEATURES, options.features(), image);
            }
            if (options.order() != null) {
                setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_ORDER, options.order().longValue(), image);
            }
            if (options.stripeUnit() != null) {
                setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_STRIPE_UNIT, options.stripeUnit(), image);
            }
            if (options.stripeCount() != null) {
                setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_STRIPE_COUNT, options.stripeCount(), image);
            }
            if (options.dataPool() != null) {
                int rc = lib.rbd_image_options_set_string(opts, LibRbd.RBD_IMAGE_OPTION_DATA_POOL, options.dataPool());
                if (rc < 0) {
                    throw new CephException("rbd_image_options_set_string", spec(image), rc);
                }
            }
            int rc = lib.rbd_create4(io, image, size, opts);
            if (rc < 0) {
                throw CephException.forImage("rbd_create4", spec(image), rc);
            }
        } finally {
            if (opts != null) {
                lib.rbd_image_options_destroy(opts);
            }
            guard.release();
        }
    }

    private void setOption(LibRbd lib, Pointer opts, int option, long value, String image) throws CephException {
        int rc = lib.rbd_image_options_set_uint64(opts, option, value);
        if (rc < 0) {
            throw new CephException("rbd_image_options_set_uint64", spec(image), rc, "option " + option + "=" + value);
        }
    }

    /**
     * {@code rbd_clone3}: creates {@code child} in {@code childPool} as a copy-on-write clone of
     * {@code parent@snapshot} in this pool. The parent snapshot must be protected (clone format 1,
     * librbd's default with {@code rbd_default_clone_format = auto} on pre-mimic clients) or the
     * cluster must allow clone v2. {@link ImageExistsException} if the child name is taken,
     * {@link ImageNotFoundException} if the parent or its snapshot is missing.
     */
    public void cloneImage(String parent, String snapshot, Pool childPool, String child, ImageOptions options)
            throws CephException {
        LibRbd lib = LibRbd.get();
        Pointer io = guard.acquire("rbd_clone3").getPointer();
        Pointer opts = null;
        try {
            Pointer childIo = childPool == this ? io : childPool.guard.acquire("rbd_clone3").getPointer();
            try {
                PointerByReference ref = new PointerByReference();
                lib.rbd_image_options_create(ref);
                opts = ref.getValue();
                setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_FORMAT, 2L, child);
                if (options.features() != null) {
                    setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_FEATURES, options.features(), child);
                }
                if (options.order() != null) {
                    setOption(lib, opts, LibRbd.RBD_IMAGE_OPTION_ORDER, options.order().longValue(), child);
                }
                int rc = lib.rbd_clone3(io, parent, snapshot, childIo, child, opts);
                if (rc < 0) {
                    throw CephException.forImage("rbd_clone3", spec(parent) + "@" + snapshot + " -> "
                            + childPool.spec(child), rc);
                }
            } finally {
                if (childPool != this) {
                    childPool.guard.release();
                }
            }
        } finally {
            if (opts != null) {
                lib.rbd_image_options_destroy(opts);
            }
            guard.release();
        }
    }

    /**
     * {@code rbd_remove}: {@link ImageNotFoundException}, {@link ImageBusyException} (still open
     * somewhere: it has watchers), {@link ImageHasSnapshotsException}.
     */
    public void removeImage(String image) throws CephException {
        Pointer io = guard.acquire("rbd_remove").getPointer();
        try {
            int rc = LibRbd.get().rbd_remove(io, image);
            if (rc < 0) {
                throw CephException.forImage("rbd_remove", spec(image), rc);
            }
        } finally {
            guard.release();
        }
    }

    /** Image names in the pool ({@code rbd_list2}), unsorted. */
    public List<String> listImages() throws CephException {
        LibRbd lib = LibRbd.get();
        Pointer io = guard.acquire("rbd_list2").getPointer();
        try {
            long max = 64;
            while (true) {
                try (Memory specs = new Memory(max * LibRbd.IMAGE_SPEC_SIZE)) {
                    specs.clear();
                    LongByReference n = new LongByReference(max);
                    int rc = lib.rbd_list2(io, specs, n);
                    if (rc == -Errno.ERANGE) {
                        max = Math.max(n.getValue(), max * 2);
                        continue;
                    }
                    if (rc < 0) {
                        throw new CephException("rbd_list2", name, rc);
                    }
                    long count = n.getValue();
                    try {
                        List<String> names = new ArrayList<>((int) count);
                        for (long i = 0; i < count; i++) {
                            names.add(specs.getPointer(i * LibRbd.IMAGE_SPEC_SIZE + 8).getString(0));
                        }
                        return names;
                    } finally {
                        lib.rbd_image_spec_list_cleanup(specs, count);
                    }
                }
            }
        } finally {
            guard.release();
        }
    }

    /** True if the image can be opened (read-only probe). */
    public boolean imageExists(String image) throws CephException {
        try (RbdImage ignored = openImageReadOnly(image, null)) {
            return true;
        } catch (ImageNotFoundException e) {
            return false;
        }
    }

    /** Opens the image's head read-write ({@code rbd_open}). */
    public RbdImage openImage(String image) throws CephException {
        return open(image, null, false);
    }

    /** Opens the image at {@code snapshot} (null: head) with {@code rbd_open}. */
    public RbdImage openImage(String image, String snapshot) throws CephException {
        return open(image, snapshot, false);
    }

    /** {@code rbd_open_read_only} at {@code snapshot} (null: head); takes no lock, registers no watch. */
    public RbdImage openImageReadOnly(String image, String snapshot) throws CephException {
        return open(image, snapshot, true);
    }

    private RbdImage open(String image, String snapshot, boolean readOnly) throws CephException {
        String call = readOnly ? "rbd_open_read_only" : "rbd_open";
        Pointer io = guard.acquire(call).getPointer();
        try {
            PointerByReference ref = new PointerByReference();
            LibRbd lib = LibRbd.get();
            int rc = readOnly ? lib.rbd_open_read_only(io, image, ref, snapshot) : lib.rbd_open(io, image, ref, snapshot);
            if (rc < 0) {
                throw CephException.forImage(call, spec(image) + (snapshot == null ? "" : "@" + snapshot), rc);
            }
            RbdImage img = new RbdImage(this, image, ref.getValue(), snapshot, readOnly);
            images.add(img);
            return img;
        } finally {
            guard.release();
        }
    }

    void forget(RbdImage image) {
        images.remove(image);
    }

    // ----------------------------------------------------------------- objects ---

    /** Replaces the object's content ({@code rados_write_full}); creates it if missing. */
    public void writeObject(String oid, byte[] data) throws CephException {
        IoCTX io = guard.acquire("rados_write_full");
        try {
            io.writeFull(oid, data, data.length);
        } catch (RadosException e) {
            throw objectError("rados_write_full", oid, e);
        } finally {
            guard.release();
        }
    }

    /** The whole object; {@link ObjectNotFoundException} if it does not exist. */
    public byte[] readObject(String oid) throws CephException {
        IoCTX io = guard.acquire("rados_read");
        try {
            long size = io.stat(oid).getSize();
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 8));
            int chunk = (int) Math.max(4096, Math.min(size, READ_CHUNK));
            byte[] buf = new byte[chunk];
            long offset = 0;
            while (true) {
                int n = io.read(oid, chunk, offset, buf);
                if (n > 0) {
                    out.write(buf, 0, n);
                    offset += n;
                }
                if (n < chunk) {
                    return out.toByteArray();
                }
            }
        } catch (RadosException e) {
            throw objectError("rados_read", oid, e);
        } finally {
            guard.release();
        }
    }

    /** {@code rados_remove}; {@link ObjectNotFoundException} if it does not exist. */
    public void removeObject(String oid) throws CephException {
        IoCTX io = guard.acquire("rados_remove");
        try {
            io.remove(oid);
        } catch (RadosException e) {
            throw objectError("rados_remove", oid, e);
        } finally {
            guard.release();
        }
    }

    /** {@code rados_stat}, empty when the object does not exist. */
    public Optional<ObjectStat> statObject(String oid) throws CephException {
        IoCTX io = guard.acquire("rados_stat");
        try {
            RadosObjectInfo info = io.stat(oid);
            return Optional.of(new ObjectStat(oid, info.getSize(), Instant.ofEpochSecond(info.getMtime())));
        } catch (RadosException e) {
            CephException c = objectError("rados_stat", oid, e);
            if (c instanceof ObjectNotFoundException) {
                return Optional.empty();
            }
            throw c;
        } finally {
            guard.release();
        }
    }

    public boolean objectExists(String oid) throws CephException {
        return statObject(oid).isPresent();
    }

    private CephException objectError(String call, String oid, RadosException e) {
        CephException c = CephException.forObject(call, spec(oid), CephCluster.rc(e));
        c.initCause(e);
        return c;
    }

    // ---------------------------------------------------------------- lifetime ---

    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Closes images still open through this pool, then destroys the I/O context. Idempotent. */
    @Override
    public void close() {
        for (RbdImage img : new ArrayList<>(images)) {
            img.close();
        }
        IoCTX io = guard.take();
        if (io != null) {
            cluster.forget(this);
            try {
                io.close();
            } catch (java.io.IOException e) {
                // rados_ioctx_destroy returns void; rados-java only declares the exception
            }
        }
    }

    @Override
    public String toString() {
        return "Pool[" + name + (isClosed() ? ", closed]" : "]");
    }
}
