package dev.ember.driver.chunked;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bounded, ordered set of tasks on a shared pool: at most {@code capacity} are in flight, and
 * results are taken in submission order. This is the only queue between the reader and the
 * workers, so memory stays bounded however fast or slow either side is.
 *
 * <p>The caller runs a task itself when it needs the result and no pool thread has started it,
 * so progress never depends on a free pool thread (no deadlock when the pool is saturated, by
 * other backups or by the callers themselves) and a pool that rejects work just means the caller
 * does it.
 */
final class OrderedWindow<T> {

    private final Executor pool;
    private final int capacity;
    private final ArrayDeque<FutureTask<T>> tasks = new ArrayDeque<>();
    private final AtomicBoolean aborted = new AtomicBoolean();

    OrderedWindow(Executor pool, int capacity) {
        this.pool = pool;
        this.capacity = capacity;
    }

    boolean isFull() {
        return tasks.size() >= capacity;
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    void submit(Callable<T> work) {
        if (isFull()) {
            throw new IllegalStateException("window is full");
        }
        FutureTask<T> task = new FutureTask<>(() -> {
            if (aborted.get()) {
                throw new CancellationException("aborted");
            }
            return work.call();
        });
        tasks.addLast(task);
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            // Fine: takeOldest() runs it on the caller's thread.
        }
    }

    /** Waits for the oldest task and returns its result, rethrowing its failure. */
    T takeOldest() throws IOException, InterruptedException {
        FutureTask<T> task = tasks.removeFirst();
        task.run(); // no-op if a pool thread has started or finished it
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    /**
     * Stops the remaining tasks and waits until none is running any more, so nothing touches the
     * volume or the store after the caller returns. Tasks not yet started do nothing.
     */
    void abort() {
        aborted.set(true);
        boolean interrupted = false;
        while (!tasks.isEmpty()) {
            FutureTask<T> task = tasks.removeFirst();
            task.run();
            while (true) {
                try {
                    task.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the task may still be using the volume
                } catch (ExecutionException | CancellationException e) {
                    break; // failures after an abort are expected and irrelevant
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
