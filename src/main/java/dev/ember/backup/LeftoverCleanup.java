package dev.ember.backup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Retries the removal of a failed backup's data when the failure also made that removal fail
 * (the storage went away mid-backup): the backup is already {@code error}, and its leftovers
 * (a snapshot on the source, a half-written base head) go as soon as the storage is back.
 * One thread, exponential backoff, bounded in time; a restart before it succeeds leaves the rest
 * to the next backup's snapshot rotation and to the error backup's delete.
 */
final class LeftoverCleanup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverCleanup.class);

    /** One try at removing the leftovers; throws when the storage is still unreachable. */
    @FunctionalInterface
    interface Attempt {
        void run() throws Exception;
    }

    private final Duration firstDelay;
    private final Duration maxDelay;
    private final Duration giveUpAfter;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ember-leftover-cleanup");
        t.setDaemon(true);
        return t;
    });

    LeftoverCleanup(Duration firstDelay, Duration maxDelay, Duration giveUpAfter) {
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        this.giveUpAfter = giveUpAfter;
    }

    void schedule(String backupId, Attempt attempt) {
        LOG.warn("backup {}: its partial data could not be removed; retrying in the background", backupId);
        attempt(backupId, attempt, firstDelay, System.nanoTime() + giveUpAfter.toNanos());
    }

    private void attempt(String backupId, Attempt attempt, Duration delay, long deadline) {
        try {
            timer.schedule(() -> {
                try {
                    attempt.run();
                    LOG.info("backup {}: partial data removed", backupId);
                } catch (Exception e) {
                    if (System.nanoTime() >= deadline) {
                        LOG.error("backup {}: giving up removing its partial data: {}", backupId, e.getMessage());
                        return;
                    }
                    Duration next = delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
                    LOG.warn("backup {}: removing its partial data failed ({}); next try in {} s", backupId,
                            e.getMessage(), next.toSeconds());
                    attempt(backupId, attempt, next, deadline);
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: the next backup's rotation and the error backup's delete take it from here.
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
