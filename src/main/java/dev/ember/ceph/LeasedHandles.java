package dev.ember.ceph;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bookkeeping of {@link CephConnection}, apart from Ceph: one current handle that work
 * leases, replaced when it is found lost, and a replaced (retired) handle closed exactly once,
 * when its last lease is released. Closing a native handle under a running call would pull its
 * ioctx and images away from that call, so a handle with a lease out is never closed: work that
 * started on it finishes on it.
 *
 * <p>Rules: {@link #lease()} hands out the current handle, first retiring it when it is lost
 * and opening a new one when there is none; a handle is also retired as soon as it is lost
 * with no lease out ({@link Lease#review()}, a release); a retired handle closes when its
 * leases reach zero; {@link #close()} retires the current one and refuses new leases.
 * Thread-safe; handles are opened under the lock (as before: concurrent callers wait for one
 * connect) and closed outside it.
 */
final class LeasedHandles<H extends LeasedHandles.Handle> {

    /** What is leased: a connection that can tell it lost its session, and be closed once. */
    interface Handle {
        boolean isLost();

        void close();
    }

    interface Opener<H> {
        H open() throws CephException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LeasedHandles.class);

    private final Opener<H> opener;
    private final String what;
    private Entry<H> current;
    /** Retired handles not closed yet (leases out, or being closed right now). */
    private final Set<Entry<H>> retired = new LinkedHashSet<>();
    private long closedCount;
    private boolean closed;

    LeasedHandles(Opener<H> opener, String what) {
        this.opener = opener;
        this.what = what;
    }

    private static final class Entry<H> {
        final H handle;
        int leases;
        boolean retired;
        boolean closing;

        Entry(H handle) {
            this.handle = handle;
        }
    }

    /** One use of a handle; {@link #close()} releases it (once; later calls do nothing). */
    static final class Lease<H extends Handle> implements AutoCloseable {
        private final LeasedHandles<H> owner;
        private final Entry<H> entry;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(LeasedHandles<H> owner, Entry<H> entry) {
            this.owner = owner;
            this.entry = entry;
        }

        /** The leased handle; open at least until this lease is released. */
        H handle() {
            if (released.get()) {
                throw new IllegalStateException("lease on " + owner.what + " already released");
            }
            return entry.handle;
        }

        /** The handle even after release: only to mark it lost, never for a call. */
        H entryHandle() {
            return entry.handle;
        }

        /** Retires the handle now if it was just found lost and no lease is out (this one released). */
        void review() {
            owner.review(entry);
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                owner.release(entry);
            }
        }
    }

    /** The current handle, leased; a lost one is retired and a new one opened first. */
    Lease<H> lease() throws CephException {
        List<Entry<H>> toClose = new ArrayList<>(1);
        try {
            synchronized (this) {
                if (closed) {
                    throw CephException.closed("lease", what);
                }
                if (current != null && current.handle.isLost()) {
                    LOG.warn("replacing the Ceph connection of {} after a lost session", what);
                    retireCurrent(toClose);
                }
                if (current == null) {
                    current = new Entry<>(opener.open());
                }
                current.leases++;
                return new Lease<>(this, current);
            }
        } finally {
            closeAll(toClose);
        }
    }

    private void release(Entry<H> entry) {
        List<Entry<H>> toClose = new ArrayList<>(1);
        synchronized (this) {
            if (entry.leases <= 0) {
                throw new IllegalStateException("lease count of " + what + " below zero");
            }
            entry.leases--;
            collect(entry, toClose);
        }
        closeAll(toClose);
    }

    private void review(Entry<H> entry) {
        List<Entry<H>> toClose = new ArrayList<>(1);
        synchronized (this) {
            collect(entry, toClose);
        }
        closeAll(toClose);
    }

    /** Under the lock: a lost current handle without leases is retired; a retired one without leases closes. */
    private void collect(Entry<H> entry, List<Entry<H>> toClose) {
        if (entry == current && entry.leases == 0 && entry.handle.isLost()) {
            LOG.warn("retiring the Ceph connection of {}: its session was lost", what);
            retireCurrent(toClose);
            return;
        }
        if (entry.retired && entry.leases == 0 && !entry.closing) {
            entry.closing = true;
            toClose.add(entry);
        }
    }

    private void retireCurrent(List<Entry<H>> toClose) {
        Entry<H> e = current;
        current = null;
        e.retired = true;
        retired.add(e);
        if (e.leases == 0) {
            e.closing = true;
            toClose.add(e);
        } else {
            LOG.info("the retired Ceph connection of {} closes once its {} running operation(s) end", what, e.leases);
        }
    }

    private void closeAll(List<Entry<H>> entries) {
        for (Entry<H> e : entries) {
            try {
                e.handle.close();
            } catch (RuntimeException ex) {
                LOG.warn("closing a retired Ceph connection of {} failed: {}", what, ex.toString());
            }
            synchronized (this) {
                retired.remove(e);
                closedCount++;
            }
        }
    }

    /** Refuses new leases and retires the current handle: it closes now, or when its last lease is released. */
    void close() {
        List<Entry<H>> toClose = new ArrayList<>(1);
        synchronized (this) {
            closed = true;
            if (current != null) {
                retireCurrent(toClose);
            }
        }
        closeAll(toClose);
    }

    /** The current handle (null before the first lease, after a retirement and after close). */
    synchronized H current() {
        return current == null ? null : current.handle;
    }

    /** Leases out on the current handle. */
    synchronized int currentLeases() {
        return current == null ? 0 : current.leases;
    }

    /** Retired handles still open: leases on them are out (or their close is running). */
    synchronized List<H> retiredOpen() {
        return retired.stream().map(e -> e.handle).toList();
    }

    /** Handles closed so far. */
    synchronized long closedCount() {
        return closedCount;
    }
}
