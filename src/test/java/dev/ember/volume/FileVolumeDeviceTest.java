package dev.ember.volume;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileVolumeDeviceTest {

    @TempDir
    Path dir;

    private Path sparseFile(long size) throws IOException {
        Path p = dir.resolve("vol");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void positionalReadAndWrite() throws Exception {
        Path p = sparseFile(1 << 20);
        try (FileVolumeDevice dev = FileVolumeDevice.open(p, true)) {
            assertEquals(1 << 20, dev.size());
            dev.write(4096, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            ByteBuffer dst = ByteBuffer.allocate(5);
            assertEquals(5, dev.read(4095, dst));
            assertArrayEquals(new byte[] {0, 1, 2, 3, 0}, dst.array());
        }
    }

    @Test
    void readAtEndReturnsMinusOneAndShortReadBeforeIt() throws Exception {
        Path p = sparseFile(100);
        try (FileVolumeDevice dev = FileVolumeDevice.open(p, false)) {
            assertEquals(-1, dev.read(100, ByteBuffer.allocate(10)));
            assertEquals(10, dev.read(90, ByteBuffer.allocate(64)));
        }
    }

    @Test
    void readOnlyDeviceRefusesWrites() throws Exception {
        Path p = sparseFile(100);
        try (FileVolumeDevice dev = FileVolumeDevice.open(p, false)) {
            assertThrows(IOException.class, () -> dev.write(0, ByteBuffer.wrap(new byte[1])));
            assertThrows(IOException.class, () -> dev.zero(0, 10));
        }
    }

    @Test
    void zeroClearsDataAndExtendsPastTheEnd() throws Exception {
        Path p = sparseFile(3 << 20);
        byte[] junk = new byte[3 << 20];
        new Random(1).nextBytes(junk);
        try (FileVolumeDevice dev = FileVolumeDevice.open(p, true)) {
            dev.write(0, ByteBuffer.wrap(junk));
            dev.zero(1000, (2 << 20) + 5);
            dev.zero((3 << 20) - 10, 110); // runs 100 bytes past the end
            dev.flush();
            assertEquals((3 << 20) + 100, dev.size());
        }
        byte[] after = Files.readAllBytes(p);
        for (int i = 0; i < after.length; i++) {
            boolean zeroed = i >= 1000 && i < 1000 + (2 << 20) + 5 || i >= (3 << 20) - 10;
            assertEquals(zeroed ? 0 : junk[i], after[i], "byte " + i);
        }
    }

    @Test
    void concurrentWritersToDisjointExtents() throws Exception {
        int pieces = 32;
        int piece = 64 * 1024;
        Path p = sparseFile((long) pieces * piece);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (FileVolumeDevice dev = FileVolumeDevice.open(p, true)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < pieces; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    byte[] b = new byte[piece];
                    java.util.Arrays.fill(b, (byte) (n + 1));
                    dev.write((long) n * piece, ByteBuffer.wrap(b));
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        byte[] all = Files.readAllBytes(p);
        for (int i = 0; i < all.length; i++) {
            assertEquals((byte) (i / piece + 1), all[i]);
        }
    }

    @Test
    void survivesAnInterruptedThread() throws Exception {
        Path p = sparseFile(1 << 20);
        try (FileVolumeDevice dev = FileVolumeDevice.open(p, true)) {
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    dev.read(0, ByteBuffer.allocate(10));
                } catch (IOException expected) {
                    // ClosedByInterruptException closes the channel under the hood.
                }
            });
            t.start();
            t.join();
            dev.write(0, ByteBuffer.wrap(new byte[] {7}));
            ByteBuffer b = ByteBuffer.allocate(1);
            assertEquals(1, dev.read(0, b));
            assertEquals(7, b.get(0));
        }
        assertTrue(Files.size(p) == 1 << 20);
    }
}
