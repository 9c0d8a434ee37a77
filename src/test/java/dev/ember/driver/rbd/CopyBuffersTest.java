package dev.ember.driver.rbd;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A copy's direct buffers go back to {@link CopyBuffers} when the copy closes and the next copy of
 * the same shape gets them, still holding the last copy's bytes, which must not leak into its
 * output; at most {@link CopyBuffers#KEPT} sets wait.
 */
class CopyBuffersTest {

    // A shape no other test uses, so that the sets seen here are this test's.
    static final int IO = 640 << 10;
    static final int IN_FLIGHT = 3;
    static final int SMALL = BlockPipeline.SMALL * BlockPipeline.SMALL_COUNT;

    @Test
    void theNextCopyReusesTheBuffersAndWritesOnlyItsOwnBytes() throws Exception {
        CopyBuffers.Set mine = CopyBuffers.take(IO, IN_FLIGHT, SMALL);
        CopyBuffers.give(mine);
        Random rnd = new Random(3);
        byte[] first = new byte[5 * IO + 12345];
        rnd.nextBytes(first);
        RbdOptionsTest.Mem a = new RbdOptionsTest.Mem(new byte[first.length]);
        try (BlockPipeline p = new BlockPipeline(BlockPipeline.source(new RbdOptionsTest.Mem(first)),
                BlockPipeline.sink(a), BlockPipeline.Zeros.WRITE, IO, IN_FLIGHT)) {
            p.copy(0, first.length);
            p.finish();
        }
        assertArrayEquals(first, a.data);

        // Shorter, unaligned pieces through buffers that still hold the first copy's data.
        byte[] second = new byte[3 * IO + 777];
        rnd.nextBytes(second);
        RbdOptionsTest.Mem b = new RbdOptionsTest.Mem(new byte[second.length]);
        try (BlockPipeline p = new BlockPipeline(BlockPipeline.source(new RbdOptionsTest.Mem(second)),
                BlockPipeline.sink(b), BlockPipeline.Zeros.WRITE, IO, IN_FLIGHT)) {
            p.copy(0, 1000);
            p.copy(1000, IO - 1);
            p.copy(IO + 999, second.length - IO - 999);
            p.finish();
        }
        assertArrayEquals(second, b.data);

        CopyBuffers.Set back = CopyBuffers.take(IO, IN_FLIGHT, SMALL);
        assertSame(mine, back, "the copies used, and gave back, the set that was waiting");
        CopyBuffers.give(back);
    }

    @Test
    void atMostKeptSetsWait() {
        CopyBuffers.Set[] sets = new CopyBuffers.Set[CopyBuffers.KEPT + 2];
        for (int i = 0; i < sets.length; i++) {
            sets[i] = CopyBuffers.take(IO + 4096, 1, 0);
        }
        assertNotSame(sets[0], sets[1], "a set in use is not handed out twice");
        for (CopyBuffers.Set s : sets) {
            CopyBuffers.give(s);
        }
        assertTrue(CopyBuffers.idle() <= CopyBuffers.KEPT, "idle sets: " + CopyBuffers.idle());
    }
}
