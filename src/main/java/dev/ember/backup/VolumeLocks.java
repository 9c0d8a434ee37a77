package dev.ember.backup;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/** One lock per volume id, created on demand and dropped when nobody holds or waits for it. */
final class VolumeLocks {

    /** A held lock; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final Map<String, Entry> locks = new HashMap<>();

    Held lock(String volumeId) {
        Entry e;
        synchronized (locks) {
            e = locks.computeIfAbsent(volumeId, k -> new Entry());
            e.users++;
        }
        e.lock.lock();
        return () -> {
            e.lock.unlock();
            synchronized (locks) {
                if (--e.users == 0) {
                    locks.remove(volumeId);
                }
            }
        };
    }

    /** Volumes with a lock held or awaited (for tests). */
    int size() {
        synchronized (locks) {
            return locks.size();
        }
    }
}
