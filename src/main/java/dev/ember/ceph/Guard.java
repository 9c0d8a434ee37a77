package dev.ember.ceph;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Guards a native handle against use after close: calls hold the read lock for their duration,
 * {@link #take()} (close) waits for running calls and then hands the handle over exactly once.
 */
final class Guard<T> {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String target;
    private T handle;

    Guard(T handle, String target) {
        this.handle = handle;
        this.target = target;
    }

    /** Returns the handle with the read lock held; pair with {@link #release()} in a finally. */
    T acquire(String call) throws CephException {
        lock.readLock().lock();
        if (handle == null) {
            lock.readLock().unlock();
            throw CephException.closed(call, target);
        }
        return handle;
    }

    void release() {
        lock.readLock().unlock();
    }

    /** Marks closed and returns the handle, or null when it was already closed. */
    T take() {
        lock.writeLock().lock();
        try {
            T h = handle;
            handle = null;
            return h;
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean isClosed() {
        lock.readLock().lock();
        try {
            return handle == null;
        } finally {
            lock.readLock().unlock();
        }
    }
}
