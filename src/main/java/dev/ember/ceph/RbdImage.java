package dev.ember.ceph;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An open RBD image ({@code rbd_image_t}, own JNA binding of librbd). Close it with
 * try-with-resources; {@link #close()} is idempotent, waits for calls in progress and for
 * outstanding {@link AioCompletion}s. Calls after close fail with a {@link CephException} (EBADF).
 *
 * <p>Thread-safe (librbd serialises internally). Every method blocks on the network: run them off
 * the Vert.x event loop (see {@link CephCluster}).
 */
public final class RbdImage implements AutoCloseable {
    /** Heap buffers are copied through native memory in pieces of this size. */
    private static final int BOUNCE = 4 << 20;

    private final Pool pool;
    private final String name;
    private final boolean readOnly;
    private final Guard<Pointer> guard;
    private final Set<AioCompletion> pending = ConcurrentHashMap.newKeySet();
    private volatile String snapshot;

    RbdImage(Pool pool, String name, Pointer handle, String snapshot, boolean readOnly) {
        this.pool = pool;
        this.name = name;
        this.snapshot = snapshot;
        this.readOnly = readOnly;
        this.guard = new Guard<>(handle, pool.name() + "/" + name);
    }

    public String name() {
        return name;
    }

    public Pool pool() {
        return pool;
    }

    /** The snapshot the handle reads from (null: head). */
    public String snapshot() {
        return snapshot;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    /** {@code pool/image} or {@code pool/image@snap}. */
    public String spec() {
        String s = snapshot;
        return pool.name() + "/" + name + (s == null ? "" : "@" + s);
    }

    private String spec(String snap) {
        return pool.name() + "/" + name + "@" + snap;
    }

    private static LibRbd lib() {
        return LibRbd.get();
    }

    private CephException fail(String call, int rc) {
        return CephException.forImage(call, spec(), rc);
    }

    // -------------------------------------------------------------- properties ---

    /** Size in bytes (of the snapshot when the handle is at one). */
    public long size() throws CephException {
        Pointer h = guard.acquire("rbd_get_size");
        try {
            LongByReference v = new LongByReference();
            int rc = lib().rbd_get_size(h, v);
            if (rc < 0) {
                throw fail("rbd_get_size", rc);
            }
            return v.getValue();
        } finally {
            guard.release();
        }
    }

    /** Feature bits, see {@link ImageFeatures}. */
    public long features() throws CephException {
        Pointer h = guard.acquire("rbd_get_features");
        try {
            LongByReference v = new LongByReference();
            int rc = lib().rbd_get_features(h, v);
            if (rc < 0) {
                throw fail("rbd_get_features", rc);
            }
            return v.getValue();
        } finally {
            guard.release();
        }
    }

    /** Object size in bytes (2^order), from {@code rbd_stat}. */
    public long objectSize() throws CephException {
        Pointer h = guard.acquire("rbd_stat");
        try (Memory info = new Memory(LibRbd.IMAGE_INFO_BUFFER)) {
            info.clear();
            int rc = lib().rbd_stat(h, info, LibRbd.IMAGE_INFO_BUFFER);
            if (rc < 0) {
                throw fail("rbd_stat", rc);
            }
            return info.getLong(8); // rbd_image_info_t: uint64_t size; uint64_t obj_size; ...
        } finally {
            guard.release();
        }
    }

    /** {@code rbd_resize} (grows or shrinks the head). */
    public void resize(long newSize) throws CephException {
        Pointer h = guard.acquire("rbd_resize");
        try {
            int rc = lib().rbd_resize(h, newSize);
            if (rc < 0) {
                throw fail("rbd_resize", rc);
            }
        } finally {
            guard.release();
        }
    }

    // --------------------------------------------------------------- snapshots ---

    public void createSnapshot(String snap) throws CephException {
        snapCall("rbd_snap_create", snap, SnapOp.CREATE);
    }

    /** {@link SnapshotNotFoundException} if missing, {@link ImageBusyException} if protected. */
    public void removeSnapshot(String snap) throws CephException {
        snapCall("rbd_snap_remove", snap, SnapOp.REMOVE);
    }

    /**
     * Removes {@code snap} when it exists, unprotecting it first; one that is missing or goes
     * missing meanwhile is not an error. (A protected snapshot with clones still fails.)
     */
    public void removeSnapshotIfExists(String snap) throws CephException {
        if (!snapshotExists(snap)) {
            return;
        }
        if (isSnapshotProtected(snap)) {
            unprotectSnapshot(snap);
        }
        try {
            removeSnapshot(snap);
        } catch (SnapshotNotFoundException e) {
            // removed concurrently
        }
    }

    /** Removes every snapshot of the image, unprotecting protected ones (so the image itself can go). */
    public void removeAllSnapshots() throws CephException {
        for (Snapshot s : listSnapshots()) {
            removeSnapshotIfExists(s.name());
        }
    }

    public void protectSnapshot(String snap) throws CephException {
        snapCall("rbd_snap_protect", snap, SnapOp.PROTECT);
    }

    public void unprotectSnapshot(String snap) throws CephException {
        snapCall("rbd_snap_unprotect", snap, SnapOp.UNPROTECT);
    }

    private enum SnapOp { CREATE, REMOVE, PROTECT, UNPROTECT }

    private void snapCall(String call, String snap, SnapOp op) throws CephException {
        Pointer h = guard.acquire(call);
        try {
            int rc = switch (op) {
                case CREATE -> lib().rbd_snap_create(h, snap);
                case REMOVE -> lib().rbd_snap_remove(h, snap);
                case PROTECT -> lib().rbd_snap_protect(h, snap);
                case UNPROTECT -> lib().rbd_snap_unprotect(h, snap);
            };
            if (rc < 0) {
                throw CephException.forSnapshot(call, spec(snap), rc);
            }
        } finally {
            guard.release();
        }
    }

    public boolean isSnapshotProtected(String snap) throws CephException {
        Pointer h = guard.acquire("rbd_snap_is_protected");
        try {
            IntByReference v = new IntByReference();
            int rc = lib().rbd_snap_is_protected(h, snap, v);
            if (rc < 0) {
                throw CephException.forSnapshot("rbd_snap_is_protected", spec(snap), rc);
            }
            return v.getValue() != 0;
        } finally {
            guard.release();
        }
    }

    public boolean snapshotExists(String snap) throws CephException {
        Pointer h = guard.acquire("rbd_snap_exists");
        try {
            ByteByReference v = new ByteByReference();
            int rc = lib().rbd_snap_exists(h, snap, v);
            if (rc < 0) {
                throw CephException.forSnapshot("rbd_snap_exists", spec(snap), rc);
            }
            return v.getValue() != 0;
        } finally {
            guard.release();
        }
    }

    /** The image's snapshots in creation (id) order. The native list is always freed. */
    public List<Snapshot> listSnapshots() throws CephException {
        Pointer h = guard.acquire("rbd_snap_list");
        try {
            int max = 16;
            while (true) {
                // librbd writes a terminating entry, so it needs count + 1 slots
                try (Memory buf = new Memory((long) max * LibRbd.SNAP_INFO_SIZE)) {
                    buf.clear();
                    IntByReference n = new IntByReference(max);
                    int rc = lib().rbd_snap_list(h, buf, n);
                    if (rc == -Errno.ERANGE) {
                        max = Math.max(n.getValue(), max * 2);
                        continue;
                    }
                    if (rc < 0) {
                        throw fail("rbd_snap_list", rc);
                    }
                    try {
                        List<Snapshot> snaps = new ArrayList<>(rc);
                        for (int i = 0; i < rc; i++) {
                            long base = (long) i * LibRbd.SNAP_INFO_SIZE;
                            snaps.add(new Snapshot(buf.getLong(base), buf.getPointer(base + 16).getString(0),
                                    buf.getLong(base + 8)));
                        }
                        return snaps;
                    } finally {
                        lib().rbd_snap_list_end(buf);
                    }
                }
            }
        } finally {
            guard.release();
        }
    }

    /** Moves the handle to {@code snap} (read-only I/O at it), or back to the head with null. */
    public void setSnapshot(String snap) throws CephException {
        Pointer h = guard.acquire("rbd_snap_set");
        try {
            int rc = lib().rbd_snap_set(h, snap);
            if (rc < 0) {
                throw CephException.forSnapshot("rbd_snap_set", snap == null ? spec() : spec(snap), rc);
            }
            this.snapshot = snap;
        } finally {
            guard.release();
        }
    }

    // -------------------------------------------------------------------- diff ---

    /**
     * {@code rbd_diff_iterate2} over {@code [offset, offset+length)} of this handle's snapshot (or
     * head) against {@code fromSnap} (null: everything allocated). With {@code wholeObject} and
     * fast-diff, extents are whole objects (cheap, from the object map). Extents come per object
     * (not merged), in ascending order. Overwrites of data that existed at {@code fromSnap} are
     * reported exactly; an object created after it is reported from its start to the end of its
     * data (a superset of the writes). The handler is called one extent at a time (on the calling
     * thread with librbd 16, but do not rely on it and do not call back into this image from it);
     * throwing aborts the iteration and is rethrown here. Parent data of clones is included.
     */
    public void diff(String fromSnap, long offset, long length, boolean wholeObject, ExtentHandler handler)
            throws IOException {
        Pointer h = guard.acquire("rbd_diff_iterate2");
        try {
            Object lock = new Object();
            Throwable[] failure = new Throwable[1];
            LibRbd.DiffCallback callback = (off, len, exists, arg) -> {
                synchronized (lock) {
                    if (failure[0] != null) {
                        return -Errno.ECANCELED;
                    }
                    try {
                        handler.accept(new Extent(off, len, exists != 0));
                        return 0;
                    } catch (Throwable t) {
                        failure[0] = t;
                        return -Errno.ECANCELED;
                    }
                }
            };
            int rc = lib().rbd_diff_iterate2(h, fromSnap, offset, length, (byte) 1, (byte) (wholeObject ? 1 : 0),
                    callback, Pointer.NULL);
            Reference.reachabilityFence(callback);
            synchronized (lock) {
                Throwable t = failure[0];
                if (t instanceof IOException io) {
                    throw io;
                } else if (t instanceof RuntimeException re) {
                    throw re;
                } else if (t instanceof Error err) {
                    throw err;
                } else if (t != null) {
                    throw new IOException(t);
                }
            }
            if (rc < 0) {
                throw fromSnap == null ? fail("rbd_diff_iterate2", rc)
                        : CephException.forSnapshot("rbd_diff_iterate2", spec() + " from " + fromSnap, rc);
            }
        } finally {
            guard.release();
        }
    }

    /** All extents changed since {@code fromSnap} (null: all allocated) over the whole image. */
    public List<Extent> diff(String fromSnap, boolean wholeObject) throws CephException {
        List<Extent> out = new ArrayList<>();
        try {
            diff(fromSnap, 0, size(), wholeObject, out::add);
        } catch (CephException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // List::add does not throw
        }
        return out;
    }

    // ---------------------------------------------------------------------- I/O ---

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code offset} ({@code rbd_read2}) and advances
     * the buffer's position. Reads past the end are clipped by librbd; reading at or after the end
     * fails with EINVAL. Returns the bytes read.
     */
    public int read(long offset, ByteBuffer dst) throws CephException {
        Pointer h = guard.acquire("rbd_read2");
        try {
            int total = 0;
            while (dst.hasRemaining()) {
                int want = dst.isDirect() ? dst.remaining() : Math.min(dst.remaining(), BOUNCE);
                long n;
                if (dst.isDirect()) {
                    n = lib().rbd_read2(h, offset + total, want, address(dst), 0);
                    Reference.reachabilityFence(dst);
                    if (n > 0) {
                        dst.position(dst.position() + (int) n);
                    }
                } else {
                    try (Memory m = new Memory(want)) {
                        n = lib().rbd_read2(h, offset + total, want, m, 0);
                        if (n > 0) {
                            dst.put(m.getByteArray(0, (int) n));
                        }
                    }
                }
                if (n < 0) {
                    throw new CephException("rbd_read2", spec(), (int) n,
                            Errno.describe((int) n) + " at offset " + (offset + total) + " length " + want);
                }
                total += (int) n;
                if (n < want) {
                    break; // end of image
                }
            }
            return total;
        } finally {
            guard.release();
        }
    }

    /** Reads {@code length} bytes at {@code offset} into a new array (shorter at the end of the image). */
    public byte[] read(long offset, int length) throws CephException {
        ByteBuffer b = ByteBuffer.allocate(length);
        int n = read(offset, b);
        byte[] out = b.array();
        return n == length ? out : java.util.Arrays.copyOf(out, n);
    }

    /** Writes all of {@code src} at {@code offset} ({@code rbd_write2}), advancing its position. */
    public void write(long offset, ByteBuffer src) throws CephException {
        Pointer h = guard.acquire("rbd_write2");
        try {
            long pos = offset;
            while (src.hasRemaining()) {
                int want = src.isDirect() ? src.remaining() : Math.min(src.remaining(), BOUNCE);
                long n;
                if (src.isDirect()) {
                    n = lib().rbd_write2(h, pos, want, address(src), 0);
                    Reference.reachabilityFence(src);
                } else {
                    try (Memory m = new Memory(want)) {
                        byte[] chunk = new byte[want];
                        src.duplicate().get(chunk);
                        m.write(0, chunk, 0, want);
                        n = lib().rbd_write2(h, pos, want, m, 0);
                    }
                }
                if (n < 0) {
                    throw new CephException("rbd_write2", spec(), (int) n,
                            Errno.describe((int) n) + " at offset " + pos + " length " + want);
                }
                if (n == 0) {
                    throw new CephException("rbd_write2", spec(), -Errno.EIO, "wrote nothing at offset " + pos);
                }
                src.position(src.position() + (int) n);
                pos += n;
            }
        } finally {
            guard.release();
        }
    }

    public void write(long offset, byte[] data) throws CephException {
        write(offset, ByteBuffer.wrap(data));
    }

    /**
     * {@code rbd_discard}: deallocates the range. librbd skips pieces smaller than its discard
     * granularity (64 KiB) at unaligned edges, so they may keep their data: use
     * {@link #writeZeroes} when the range must read back as zeros.
     */
    public void discard(long offset, long length) throws CephException {
        Pointer h = guard.acquire("rbd_discard");
        try {
            int rc = lib().rbd_discard(h, offset, length);
            if (rc < 0) {
                throw new CephException("rbd_discard", spec(), rc,
                        Errno.describe(rc) + " at offset " + offset + " length " + length);
            }
        } finally {
            guard.release();
        }
    }

    /**
     * {@code rbd_write_zeroes} (flags 0): an exact discard — whole objects are deallocated (diffs
     * then report {@code exists=false}), partial ones zeroed — so the range always reads as zeros.
     */
    public void writeZeroes(long offset, long length) throws CephException {
        Pointer h = guard.acquire("rbd_write_zeroes");
        try {
            long done = 0;
            while (done < length) {
                long piece = Math.min(length - done, 1L << 30);
                long rc = lib().rbd_write_zeroes(h, offset + done, piece, 0, 0);
                if (rc < 0) {
                    throw new CephException("rbd_write_zeroes", spec(), (int) rc,
                            Errno.describe((int) rc) + " at offset " + (offset + done) + " length " + piece);
                }
                done += piece;
            }
        } finally {
            guard.release();
        }
    }

    /** {@code rbd_flush}: written data is durable on the OSDs. */
    public void flush() throws CephException {
        Pointer h = guard.acquire("rbd_flush");
        try {
            int rc = lib().rbd_flush(h);
            if (rc < 0) {
                throw fail("rbd_flush", rc);
            }
        } finally {
            guard.release();
        }
    }

    // ---------------------------------------------------------------------- aio ---

    /**
     * Starts an asynchronous read into the direct buffer {@code dst} ({@code rbd_aio_read2}); the
     * buffer must not be touched until {@link AioCompletion#await()} returns, which also advances
     * its position. Several reads can be in flight at once (pipelining).
     */
    public AioCompletion readAsync(long offset, ByteBuffer dst) throws CephException {
        return startAio("rbd_aio_read2", offset, dst, true);
    }

    /** Starts an asynchronous write of the direct buffer {@code src} ({@code rbd_aio_write2}). */
    public AioCompletion writeAsync(long offset, ByteBuffer src) throws CephException {
        return startAio("rbd_aio_write2", offset, src, false);
    }

    private AioCompletion startAio(String call, long offset, ByteBuffer buf, boolean read) throws CephException {
        if (!buf.isDirect()) {
            throw new IllegalArgumentException(call + " needs a direct ByteBuffer");
        }
        Pointer h = guard.acquire(call);
        try {
            PointerByReference ref = new PointerByReference();
            int rc = lib().rbd_aio_create_completion(Pointer.NULL, null, ref);
            if (rc < 0) {
                throw fail("rbd_aio_create_completion", rc);
            }
            Pointer c = ref.getValue();
            int len = buf.remaining();
            rc = read ? lib().rbd_aio_read2(h, offset, len, address(buf), c, 0)
                    : lib().rbd_aio_write2(h, offset, len, address(buf), c, 0);
            if (rc < 0) {
                lib().rbd_aio_release(c);
                throw new CephException(call, spec(), rc, Errno.describe(rc) + " at offset " + offset + " length " + len);
            }
            AioCompletion a = new AioCompletion(this, call, c, buf, offset, len);
            pending.add(a);
            return a;
        } finally {
            guard.release();
        }
    }

    void forget(AioCompletion a) {
        pending.remove(a);
    }

    static Pointer address(ByteBuffer direct) {
        return Native.getDirectBufferPointer(direct).share(direct.position());
    }

    // ----------------------------------------------------------------- lifetime ---

    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Waits for outstanding asynchronous operations, then {@code rbd_close}. Idempotent; never
     * throws (a close error is only possible for a broken cluster connection and leaves nothing to do).
     */
    @Override
    public void close() {
        for (AioCompletion a : new ArrayList<>(pending)) {
            a.close();
        }
        Pointer h = guard.take();
        if (h != null) {
            pool.forget(this);
            lib().rbd_close(h);
        }
    }

    @Override
    public String toString() {
        return "RbdImage[" + spec() + (readOnly ? ", read-only" : "") + (isClosed() ? ", closed]" : "]");
    }
}
