package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.CephException;
import dev.ember.device.VolumeDevice;
import dev.ember.device.rbd.RbdDevice;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;

/**
 * How a failed driver call ends: librbd/librados failures become the driver's typed exceptions
 * here, once, after the failure has retired a lost session. Cleanup steps that fail while a call
 * unwinds are kept as suppressed exceptions of its failure: data of that backup then remains.
 */
final class RbdErrors {

    private static final Logger LOG = LoggerFactory.getLogger(RbdErrors.class);

    private RbdErrors() {
    }

    /**
     * The exception a failed call on {@code lease} throws: the driver's own passes as it is,
     * anything else says that {@code what} failed and why.
     */
    static BackupDriverException failed(String what, Exception failure, CephConnection.Lease lease,
                                        VolumeDevice device) {
        noteFailure(lease, failure, device);
        return failure instanceof BackupDriverException e ? e
                : new BackupDriverException(what + " failed: " + describe(failure), failure);
    }

    /**
     * The same for a backup, which also says whether data of it remains (a failed cleanup step)
     * and turns a stopped backup into {@link BackupDriverException.Cancelled}: the listener's
     * promise is that a stopped backup is cleaned up like a failed one and says so.
     */
    static BackupDriverException backupFailed(String what, Exception failure, CephConnection.Lease lease,
                                              VolumeDevice device) {
        noteFailure(lease, failure, device);
        if (failure instanceof BackupDriverException e) {
            return e.getSuppressed().length > 0 && !(e instanceof BackupDriverException.LeftoversRemain)
                    ? new BackupDriverException.LeftoversRemain(e.getMessage(), e) : e;
        }
        if (failure instanceof ProgressListener.Stop) {
            return new BackupDriverException.Cancelled(failure.getMessage());
        }
        String message = what + " failed: " + describe(failure);
        return failure.getSuppressed().length > 0 ? new BackupDriverException.LeftoversRemain(message, failure)
                : new BackupDriverException(message, failure);
    }

    /**
     * A failure that shows a lost session retires the connection it happened on (see
     * CephCluster#markLostIf): the lease's, and an RBD source's or target's own.
     */
    static void noteFailure(CephConnection.Lease lease, Throwable failure, VolumeDevice device) {
        lease.noteFailure(failure);
        if (device instanceof RbdDevice rbd) {
            rbd.pool().cluster().markLostIf(failure);
        }
    }

    /** A cleanup step while {@code failure} unwinds; when it fails too, it is kept as suppressed by {@code failure}. */
    static void quietly(Exception failure, Cleanup cleanup) {
        try {
            cleanup.run();
        } catch (Exception e) {
            LOG.warn("cleanup after a failed RBD operation failed: {}", e.getMessage());
            failure.addSuppressed(e);
        }
    }

    /** Why it failed, short: fail_reason holds 255 characters and image names are long. */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        if (e instanceof CephException c) {
            // What went wrong first.
            return c.reason() + " in " + c.call() + "(" + c.target() + ")";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    interface Cleanup {
        void run() throws Exception;
    }
}
