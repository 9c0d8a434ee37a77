package dev.ember.driver.chunked;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract every {@link ObjectStore} backend must meet. A backend's test extends this class
 * and supplies a fresh, empty store; all behaviour the chunked driver relies on is checked here.
 */
abstract class ObjectStoreConformance {

    protected ObjectStore store;

    /** A new, empty store. */
    protected abstract ObjectStore newStore() throws Exception;

    @BeforeEach
    void setUpStore() throws Exception {
        store = newStore();
        store.createContainer("c1");
    }

    static void put(ObjectStore store, String container, String name, byte[] data) throws IOException {
        try (ObjectWriter w = store.create(container, name)) {
            w.write(data);
            w.commit();
        }
    }

    static byte[] get(ObjectStore store, String container, String name) throws IOException {
        try (InputStream in = store.open(container, name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void committedObjectCanBeReadAndListed() throws Exception {
        put(store, "c1", "obj-1", "hello".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), get(store, "c1", "obj-1"));
        assertEquals(List.of("obj-1"), store.list("c1", "obj"));
    }

    @Test
    void writerCountsBytes() throws Exception {
        try (ObjectWriter w = store.create("c1", "counted")) {
            w.write(new byte[10]);
            w.write(new byte[20], 5, 7);
            assertEquals(17, w.bytesWritten());
            w.commit();
        }
        assertEquals(17, get(store, "c1", "counted").length);
    }

    @Test
    void headCanBeOverwrittenBeforeCommit() throws Exception {
        try (ObjectWriter w = store.create("c1", "patched")) {
            w.write(new byte[] {1, 2, 3, 4, 5, 6});
            w.write(new byte[10_000]);
            w.overwrite(2, new byte[] {9, 9});
            w.write(new byte[] {7});
            assertEquals(10_007, w.bytesWritten());
            w.commit();
        }
        byte[] got = get(store, "c1", "patched");
        assertEquals(10_007, got.length);
        assertArrayEquals(new byte[] {1, 2, 9, 9, 5, 6}, java.util.Arrays.copyOf(got, 6));
        assertEquals(7, got[10_006]);
    }

    @Test
    void uncommittedObjectIsInvisibleAndDiscardedOnClose() throws Exception {
        ObjectWriter w = store.create("c1", "pending");
        w.write(new byte[100]);
        assertEquals(List.of(), store.list("c1", ""));
        assertThrows(NoSuchFileException.class, () -> store.open("c1", "pending"));
        w.close();
        assertEquals(List.of(), store.list("c1", ""));
        assertThrows(NoSuchFileException.class, () -> store.open("c1", "pending"));
    }

    @Test
    void commitReplacesAnExistingObject() throws Exception {
        put(store, "c1", "x", new byte[] {1});
        put(store, "c1", "x", new byte[] {2, 2});
        assertArrayEquals(new byte[] {2, 2}, get(store, "c1", "x"));
        assertEquals(List.of("x"), store.list("c1", "x"));
    }

    @Test
    void listFiltersByPrefixAndSorts() throws Exception {
        for (String n : List.of("b-2", "a-1", "b-1", "b_meta", "c")) {
            put(store, "c1", n, new byte[] {0});
        }
        assertEquals(List.of("b-1", "b-2", "b_meta"), store.list("c1", "b"));
        assertEquals(List.of("a-1", "b-1", "b-2", "b_meta", "c"), store.list("c1", ""));
        assertEquals(List.of(), store.list("c1", "zzz"));
    }

    @Test
    void containersAreSeparateAndMayBeNested() throws Exception {
        store.createContainer("ab/cd/abcdef");
        store.createContainer("ab/cd/abcdef"); // again: fine
        put(store, "ab/cd/abcdef", "o", new byte[] {9});
        assertEquals(List.of("o"), store.list("ab/cd/abcdef", ""));
        assertEquals(List.of(), store.list("c1", ""));
    }

    @Test
    void missingThingsAreNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> store.list("no-such-container", "p"));
        assertThrows(NoSuchFileException.class, () -> store.open("c1", "absent"));
    }

    @Test
    void deleteRemovesAndToleratesMissing() throws Exception {
        put(store, "c1", "d", new byte[] {1});
        store.delete("c1", "d");
        store.delete("c1", "d");
        store.delete("c1", "never-there");
        assertEquals(List.of(), store.list("c1", ""));
    }

    @Test
    void largeObjectsStream() throws Exception {
        byte[] big = new byte[5 << 20];
        new Random(7).nextBytes(big);
        try (ObjectWriter w = store.create("c1", "big")) {
            for (int off = 0; off < big.length; off += 100_000) {
                w.write(big, off, Math.min(100_000, big.length - off));
            }
            w.commit();
        }
        assertArrayEquals(big, get(store, "c1", "big"));
    }

    @Test
    void concurrentWritersDoNotInterfere() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    put(store, "c1", "p-" + n, new byte[] {(byte) n, (byte) n});
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        List<String> names = store.list("c1", "p-");
        assertEquals(16, names.size());
        for (String n : names) {
            byte v = (byte) Integer.parseInt(n.substring(2));
            assertArrayEquals(new byte[] {v, v}, get(store, "c1", n));
        }
    }

    @Test
    void unsafeNamesAreRefused() {
        for (String bad : List.of("../x", "/abs", "a/../../b", "a\0b", "", "a//b", "./a")) {
            assertThrows(InvalidObjectNameException.class, () -> store.createContainer(bad), bad);
            assertThrows(InvalidObjectNameException.class, () -> store.create(bad, "o"), bad);
            assertThrows(InvalidObjectNameException.class, () -> store.list(bad, ""), bad);
        }
        for (String bad : List.of("a/b", "..", "x\0", "", ".hidden")) {
            assertThrows(InvalidObjectNameException.class, () -> store.create("c1", bad), bad);
            assertThrows(InvalidObjectNameException.class, () -> store.open("c1", bad), bad);
            assertThrows(InvalidObjectNameException.class, () -> store.delete("c1", bad), bad);
        }
    }
}
