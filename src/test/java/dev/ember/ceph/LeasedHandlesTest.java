package dev.ember.ceph;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lease rules of {@link LeasedHandles} with a fake handle that records its opens, closes and
 * uses: a handle is never closed while a lease on it is out, a lost one is replaced for new
 * leases and closed exactly once when its last lease is released, and close waits for leases.
 */
class LeasedHandlesTest {

    /** A handle that counts: lost on demand; use after close is recorded as a fault. */
    static final class FakeHandle implements LeasedHandles.Handle {
        final String name;
        final List<String> trace;
        volatile boolean lost;
        final AtomicInteger closes = new AtomicInteger();

        FakeHandle(String name, List<String> trace) {
            this.name = name;
            this.trace = trace;
        }

        @Override
        public boolean isLost() {
            return lost;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            trace.add("close " + name);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Each case runs its steps and compares the trace: {@code Ln} takes lease n (traced
     * {@code Ln=<handle>}), {@code Rn} releases it, {@code Un} uses it ({@code Un=<handle>}, or
     * {@code Un refused} once released), {@code X} marks the current handle lost, {@code Nn}
     * marks lease n's handle lost and reviews it (a failure noted by its holder), {@code F} makes
     * the next open fail, {@code C} closes. Opens and closes appear where they happen.
     */
    record Case(String what, String steps, String trace) {
    }

    static final List<Case> CASES = List.of(
            new Case("a healthy handle is shared and never closed",
                    "L1 L2 R1 R2 L3",
                    "open h1, L1=h1, L2=h1, R1, R2, L3=h1"),
            new Case("lost with no lease out: found at the next lease, replaced, closed at once (outside the lock, after the new one opened)",
                    "L1 R1 X L2",
                    "open h1, L1=h1, R1, X, open h2, close h1, L2=h2"),
            new Case("lost while leased: new leases get a new handle, the old one closes with its last lease",
                    "L1 L2 X L3 R1 U2 R2 R3",
                    "open h1, L1=h1, L2=h1, X, open h2, L3=h2, R1, U2=h1, R2, close h1, R3"),
            new Case("lost and released: retired at release, not left open until the next lease",
                    "L1 X R1 L2",
                    "open h1, L1=h1, X, R1, close h1, open h2, L2=h2"),
            new Case("noted lost by a holder after its release: closed at once",
                    "L1 R1 N1 L2",
                    "open h1, L1=h1, R1, N1, close h1, open h2, L2=h2"),
            new Case("noted lost while another lease is out: closed when that one ends",
                    "L1 L2 N1 R1 R2 L3",
                    "open h1, L1=h1, L2=h1, N1, R1, R2, close h1, open h2, L3=h2"),
            new Case("releasing twice counts once",
                    "L1 L2 R1 R1 X L3 R2",
                    "open h1, L1=h1, L2=h1, R1, R1, X, open h2, L3=h2, R2, close h1"),
            new Case("a released lease cannot be used",
                    "L1 U1 R1 U1",
                    "open h1, L1=h1, U1=h1, R1, U1 refused"),
            new Case("two retirements: each handle closes on its own last release",
                    "L1 X L2 X L3 R2 R1 R3",
                    "open h1, L1=h1, X, open h2, L2=h2, X, open h3, L3=h3, R2, close h2, R1, close h1, R3"),
            new Case("a failed open leaves nothing behind and the next lease tries again",
                    "F L1 L2",
                    "F, L1 failed, open h1, L2=h1"),
            new Case("close with nothing leased closes now and refuses new leases",
                    "L1 R1 C L2",
                    "open h1, L1=h1, R1, close h1, C, L2 failed"),
            new Case("close with a lease out closes when it ends",
                    "L1 C U1 R1",
                    "open h1, L1=h1, C, U1=h1, R1, close h1"),
            new Case("close with a retired and a current handle leased closes each on its release",
                    "L1 X L2 C R2 R1",
                    "open h1, L1=h1, X, open h2, L2=h2, C, R2, close h2, R1, close h1"));

    @Test
    void rules() {
        for (Case c : CASES) {
            assertEquals(c.trace(), run(c.steps()), c.what());
        }
    }

    private static String run(String steps) {
        List<String> trace = new ArrayList<>();
        List<FakeHandle> opened = new ArrayList<>();
        boolean[] failNext = {false};
        LeasedHandles<FakeHandle> handles = new LeasedHandles<>(() -> {
            if (failNext[0]) {
                failNext[0] = false;
                throw new CephException("rados_connect", "fake", -Errno.ETIMEDOUT);
            }
            FakeHandle h = new FakeHandle("h" + (opened.size() + 1), trace);
            opened.add(h);
            trace.add("open " + h.name);
            return h;
        }, "a test");
        Map<String, LeasedHandles.Lease<FakeHandle>> leases = new HashMap<>();
        for (String step : steps.split(" ")) {
            String n = step.substring(1);
            switch (step.charAt(0)) {
                case 'L' -> {
                    try {
                        LeasedHandles.Lease<FakeHandle> l = handles.lease();
                        leases.put(n, l);
                        trace.add(step + "=" + l.handle());
                    } catch (CephException e) {
                        trace.add(step + " failed");
                    }
                }
                case 'R' -> {
                    trace.add(step);
                    leases.get(n).close();
                }
                case 'U' -> {
                    try {
                        trace.add(step + "=" + leases.get(n).handle());
                    } catch (IllegalStateException e) {
                        trace.add(step + " refused");
                    }
                }
                case 'X' -> {
                    trace.add(step);
                    opened.get(opened.size() - 1).lost = true;
                }
                case 'N' -> {
                    trace.add(step);
                    leases.get(n).entryHandle().lost = true;
                    leases.get(n).review();
                }
                case 'F' -> {
                    trace.add(step);
                    failNext[0] = true;
                }
                case 'C' -> {
                    handles.close();
                    trace.add(step);
                }
                default -> throw new IllegalArgumentException(step);
            }
        }
        for (FakeHandle h : opened) {
            assertTrue(h.closes.get() <= 1, h + " closed " + h.closes.get() + " times in " + steps);
        }
        return String.join(", ", trace);
    }

    /**
     * Threads lease, use and release while others mark the current handle lost: no use ever
     * sees a closed handle, every handle closes once, and once all leases are released and
     * the set is closed every handle opened has been closed.
     */
    @Test
    void concurrentLeasesNeverSeeAClosedHandle() throws Exception {
        List<String> trace = new java.util.concurrent.CopyOnWriteArrayList<>();
        ConcurrentLinkedQueue<FakeHandle> opened = new ConcurrentLinkedQueue<>();
        AtomicInteger faults = new AtomicInteger();
        AtomicInteger n = new AtomicInteger();
        LeasedHandles<FakeHandle> handles = new LeasedHandles<>(() -> {
            FakeHandle h = new FakeHandle("h" + n.incrementAndGet(), trace);
            opened.add(h);
            return h;
        }, "a test");
        int threads = 6;
        int rounds = 2000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        try (LeasedHandles.Lease<FakeHandle> l = handles.lease()) {
                            FakeHandle h = l.handle();
                            for (int k = 0; k < 3; k++) {
                                if (h.closes.get() != 0) {
                                    faults.incrementAndGet();
                                }
                                Thread.onSpinWait();
                            }
                            if (ThreadLocalRandom.current().nextInt(50) == 0) {
                                h.lost = true;
                                if (ThreadLocalRandom.current().nextBoolean()) {
                                    l.review();
                                }
                            }
                            if (h.closes.get() != 0) {
                                faults.incrementAndGet();
                            }
                        }
                    }
                } catch (CephException e) {
                    faults.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
            th.start();
        }
        done.await();
        handles.close();
        assertEquals(0, faults.get(), "uses of a closed handle (or failed leases)");
        assertTrue(opened.size() > 1, "some handles were replaced: " + opened.size());
        for (FakeHandle h : opened) {
            assertEquals(1, h.closes.get(), h + " closes");
        }
        assertEquals(opened.size(), handles.closedCount());
        assertEquals(List.of(), handles.retiredOpen());
    }
}
