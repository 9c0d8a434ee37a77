package dev.ember.backup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeftoverCleanupTest {

    @Test
    void retriesUntilTheStorageIsBack() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        try (LeftoverCleanup cleanup = new LeftoverCleanup(Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMinutes(1))) {
            cleanup.schedule("b", () -> {
                if (tries.incrementAndGet() < 4) {
                    throw new IOException("cluster unreachable");
                }
                done.countDown();
            });
            assertTrue(done.await(30, TimeUnit.SECONDS));
        }
        assertEquals(4, tries.get());
    }

    @Test
    void givesUpAfterItsTimeBound() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        try (LeftoverCleanup cleanup = new LeftoverCleanup(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ZERO)) {
            cleanup.schedule("b", () -> {
                tries.incrementAndGet();
                throw new IOException("cluster unreachable");
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (tries.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(200);
        }
        assertEquals(1, tries.get(), "no retry once the time bound has passed");
    }

    @Test
    void volumeLocksSerialisePerVolumeAndAreDropped() throws Exception {
        VolumeLocks locks = new VolumeLocks();
        CountDownLatch otherHas = new CountDownLatch(1);
        VolumeLocks.Held a = locks.lock("v1");
        Thread t = new Thread(() -> {
            try (VolumeLocks.Held b = locks.lock("v2")) {
                otherHas.countDown(); // another volume is not blocked
            }
            try (VolumeLocks.Held c = locks.lock("v1")) {
                // waits for a
            }
        });
        t.start();
        assertTrue(otherHas.await(10, TimeUnit.SECONDS));
        t.join(200);
        assertTrue(t.isAlive(), "the same volume waits");
        a.close();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertEquals(0, locks.size());
    }
}
