package dev.ember.driver.rbd;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The direct buffers of finished copies, kept for the next copy. A copy's buffers (16 × 4 MiB and
 * a 8 MiB arena by default) live as long as the copy, so they end up in the old generation, and a
 * direct buffer's memory is freed only when the collector finds its object unreachable: with a
 * small heap that can take many backups, and each one would leave its 72 MiB behind meanwhile.
 * Reusing them keeps the process at one set per concurrent copy. At most {@link #KEPT} sets wait
 * here; a set beyond that is left to the collector as before.
 */
final class CopyBuffers {

    /** Sets kept while no copy uses them: one running copy at a time is the common case. */
    static final int KEPT = 2;

    /** One copy's buffers: {@code large} of {@code ioSize} bytes each, and the small buffers' arena (or null). */
    record Set(int ioSize, List<ByteBuffer> large, ByteBuffer smallArena) {
    }

    private static final ArrayDeque<Set> IDLE = new ArrayDeque<>();

    private CopyBuffers() {
    }

    /** A set of {@code inFlight} buffers of {@code ioSize} bytes (and {@code smallBytes} of small ones, 0 for none). */
    static Set take(int ioSize, int inFlight, int smallBytes) {
        synchronized (IDLE) {
            for (Iterator<Set> it = IDLE.iterator(); it.hasNext(); ) {
                Set s = it.next();
                if (s.ioSize() == ioSize && s.large().size() == inFlight
                        && (s.smallArena() == null ? 0 : s.smallArena().capacity()) == smallBytes) {
                    it.remove();
                    return s;
                }
            }
        }
        List<ByteBuffer> large = new ArrayList<>(inFlight);
        for (int i = 0; i < inFlight; i++) {
            large.add(ByteBuffer.allocateDirect(ioSize));
        }
        return new Set(ioSize, List.copyOf(large), smallBytes == 0 ? null : ByteBuffer.allocateDirect(smallBytes));
    }

    /** Gives a set back once nothing reads into or writes from its buffers any more. */
    static void give(Set s) {
        synchronized (IDLE) {
            if (IDLE.size() < KEPT) {
                IDLE.push(s);
            }
        }
    }

    /** How many sets wait (for tests). */
    static int idle() {
        synchronized (IDLE) {
            return IDLE.size();
        }
    }
}
