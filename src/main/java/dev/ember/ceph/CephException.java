package dev.ember.ceph;

import java.io.IOException;

/**
 * A librados/librbd call failed. Carries the positive {@link #errno()} and names the call and its
 * target (pool/image[@snap] or pool/object), e.g.
 * {@code rbd_open(backups/volume-1): No such file or directory [errno 2 ENOENT]}.
 *
 * <p>Typed subclasses, following python-rbd's mapping: {@link ImageNotFoundException} (ENOENT),
 * {@link ImageBusyException} (EBUSY), {@link ImageExistsException} (EEXIST),
 * {@link ImageHasSnapshotsException} (ENOTEMPTY on remove), {@link ObjectNotFoundException} and
 * {@link PoolNotFoundException} (ENOENT on objects / pools).
 */
public class CephException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String call;
    private final String target;
    private final String reason;

    public CephException(String call, String target, int returnCode) {
        this(call, target, returnCode, null);
    }

    public CephException(String call, String target, int returnCode, String detail) {
        super(format(call, target, returnCode, detail));
        this.errno = Math.abs(returnCode);
        this.call = call;
        this.target = target;
        this.reason = (detail == null ? Errno.describe(errno) : detail) + " [errno " + errno + " " + Errno.symbol(errno) + "]";
    }

    /** What went wrong without where, e.g. {@code Connection timed out [errno 110 ETIMEDOUT]}. */
    public String reason() {
        return reason;
    }

    static String format(String call, String target, int returnCode, String detail) {
        int e = Math.abs(returnCode);
        return call + "(" + target + "): " + (detail == null ? Errno.describe(e) : detail)
                + " [errno " + e + " " + Errno.symbol(e) + "]";
    }

    /** Positive errno, e.g. 2 for ENOENT. */
    public int errno() {
        return errno;
    }

    /** The native call that failed, e.g. {@code rbd_open}. */
    public String call() {
        return call;
    }

    /** What it was applied to: {@code pool/image}, {@code pool/image@snap}, {@code pool/object} or a pool. */
    public String target() {
        return target;
    }

    /** Exception for a failed image- or snapshot-level call (errno-based subclass). */
    static CephException forImage(String call, String target, int rc) {
        return switch (Math.abs(rc)) {
            case Errno.ENOENT -> new ImageNotFoundException(call, target, rc);
            case Errno.EBUSY -> new ImageBusyException(call, target, rc);
            case Errno.EEXIST -> new ImageExistsException(call, target, rc);
            case Errno.ENOTEMPTY -> new ImageHasSnapshotsException(call, target, rc);
            default -> new CephException(call, target, rc);
        };
    }

    /** Like {@link #forImage} but ENOENT means the snapshot is missing. */
    static CephException forSnapshot(String call, String target, int rc) {
        if (Math.abs(rc) == Errno.ENOENT) {
            return new SnapshotNotFoundException(call, target, rc);
        }
        return forImage(call, target, rc);
    }

    static CephException forObject(String call, String target, int rc) {
        if (Math.abs(rc) == Errno.ENOENT) {
            return new ObjectNotFoundException(call, target, rc);
        }
        return new CephException(call, target, rc);
    }

    static CephException forPool(String call, String pool, int rc) {
        if (Math.abs(rc) == Errno.ENOENT) {
            return new PoolNotFoundException(call, pool, rc);
        }
        return new CephException(call, pool, rc);
    }

    static CephException closed(String call, String target) {
        return new CephException(call, target, -Errno.EBADF, "handle is closed");
    }
}
