package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import dev.ember.volume.FileVolumeDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.ember.driver.chunked.DriverFixture.compressible;
import static dev.ember.driver.chunked.DriverFixture.options;
import static dev.ember.driver.chunked.DriverFixture.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkedBackupDriverTest {

    private static final int KIB = 1024;

    @TempDir
    Path dir;
    DriverFixture fx;

    @BeforeEach
    void setUp() {
        fx = new DriverFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    static Stream<Arguments> fullBackupCases() {
        List<Arguments> cases = new ArrayList<>();
        // chunk, sha block, volume size: aligned, chunk not dividing the volume, short last block
        long[][] shapes = {
            {64 * KIB, 4 * KIB, 512 * KIB},
            {96 * KIB, 32 * KIB, 1000 * KIB},
            {12 * KIB, 4 * KIB, 200 * KIB + 123},
            {1999994880L, 32768, 300 * KIB},
        };
        for (String compression : List.of("none", "zlib", "gzip", "bz2", "zstd", "off")) {
            for (long[] s : shapes) {
                cases.add(Arguments.of(compression, s[0], (int) s[1], (int) s[2]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} chunk={1} sha={2} size={3}")
    @MethodSource("fullBackupCases")
    void fullBackupRestoresBitIdentical(String compression, long chunk, int sha, int size) throws Exception {
        byte[] data = new byte[size];
        // Random, compressible and zero stretches: every storage decision gets exercised.
        System.arraycopy(random(size / 3, 1), 0, data, 0, size / 3);
        System.arraycopy(compressible(size / 3, 2), 0, data, size / 3, size / 3);
        ChunkedBackupDriver driver = fx.driver(options(chunk, sha, compression));
        BackupRef full = fx.backup(driver, fx.ref(null), null, fx.volume(data));

        assertArrayEquals(data, fx.restore(driver, List.of(full), size));
        BackupMetadataFile meta = fx.metadata(full);
        assertEquals(fx.lastOutcome.objectCount(), meta.objects().size());
        assertEquals(fx.dataObjects(driver, full).size(), meta.objects().size());
        for (ObjectEntry o : meta.objects()) {
            assertTrue(o.length() <= chunk, "objects never exceed backup_file_size");
            assertEquals(o.offset() / chunk, (o.end() - 1) / chunk, "objects never cross a chunk boundary");
            long stored = Files.size(fx.containerDir(full).resolve(o.name()));
            if (!o.compression().equals("none")) {
                assertTrue(stored < o.length(), "compressed only when smaller");
                assertEquals(compression, o.compression(), "cinder records the configured name");
            } else {
                assertEquals(o.length(), stored);
            }
        }
    }

    @Test
    void fullBackupObjectsAreCinderChunksWhenNotSparse() throws Exception {
        byte[] data = random(300 * KIB, 3);
        Arrays.fill(data, 100 * KIB, 200 * KIB, (byte) 0);
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib").withSparseFullBackups(false));
        BackupRef full = fx.backup(driver, fx.ref(null), null, fx.volume(data));
        List<ObjectEntry> objects = fx.metadata(full).objects();
        assertEquals(5, objects.size());
        for (int i = 0; i < objects.size(); i++) {
            ObjectEntry o = objects.get(i);
            assertEquals(new BackupPrefix(full.serviceMetadata()).objectName(i + 1), o.name());
            assertEquals(i * 64L * KIB, o.offset());
            assertEquals(i < 4 ? 64 * KIB : 44 * KIB, o.length());
        }
        assertArrayEquals(data, fx.restore(driver, List.of(full), data.length));
    }

    /**
     * Compression pays off in the probe (the first block is text) but not for the whole object
     * (the rest is random and bzip2 pieces cost a header each): the object must end up stored raw.
     */
    @Test
    void objectThatOnlyLooksCompressibleIsRewrittenRaw() throws Exception {
        byte[] data = random(512 * KIB, 12);
        System.arraycopy(compressible(4 * KIB, 13), 0, data, 0, 4 * KIB);
        ChunkedBackupDriver posix = fx.driver(options(512 * KIB, 4 * KIB, "bz2"));
        List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();
        ObjectStore counting = new ChunkedFailureTest.FailingStore(posix.store(), Integer.MAX_VALUE) {
            @Override
            public ObjectWriter create(String container, String name) throws IOException {
                created.add(name);
                return super.create(container, name);
            }
        };
        ChunkedBackupDriver driver = new ChunkedBackupDriver(PosixBackupDriver.SERVICE_NAME, counting,
                ContainerNaming.POSIX, posix.options(), fx.pool, new PipelineLimits(4 * KIB, 4, 4 * KIB));
        BackupRef full = fx.backup(driver, fx.ref(null), null, fx.volume(data));
        ObjectEntry only = fx.metadata(full).objects().get(0);
        assertEquals(2, created.stream().filter(only.name()::equals).count(), "written compressed, then rewritten raw");
        assertEquals("none", only.compression());
        assertEquals(data.length, Files.size(fx.containerDir(full).resolve(only.name())));
        assertArrayEquals(data, fx.restore(driver, List.of(full), data.length));
    }

    @Test
    void sparseFullBackupLeavesZeroBlocksOutAndRestoreZeroesTheGaps() throws Exception {
        byte[] data = new byte[256 * KIB];
        System.arraycopy(random(10 * KIB, 4), 0, data, 5 * KIB, 10 * KIB);     // blocks 1..3
        System.arraycopy(random(4 * KIB, 5), 0, data, 200 * KIB, 4 * KIB);    // block 50
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "none"));
        BackupRef full = fx.backup(driver, fx.ref(null), null, fx.volume(data));
        List<ObjectEntry> objects = fx.metadata(full).objects();
        assertEquals(2, objects.size());
        assertEquals(List.of(4L * KIB, 200L * KIB), objects.stream().map(ObjectEntry::offset).toList());
        assertEquals(List.of(12L * KIB, 4L * KIB), objects.stream().map(ObjectEntry::length).toList());

        // Restore onto a target full of junk: the gaps must come out as zeros.
        Path target = fx.volume(random(data.length, 6));
        fx.restoreOnto(driver, List.of(full), target);
        assertArrayEquals(data, Files.readAllBytes(target));
    }

    @Test
    void incrementalStoresOnlyChangedBlocks() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "none"));
        byte[] v0 = random(1024 * KIB, 10);
        BackupRef full = fx.backup(driver, fx.ref(null), null, fx.volume(v0));
        assertEquals(16, fx.lastOutcome.objectCount());

        byte[] v1 = v0.clone();
        v1[12 * KIB + 7] ^= 1;                                     // block 3
        Arrays.fill(v1, 62 * KIB, 66 * KIB, (byte) 0x55);          // blocks 15, 16: straddle a chunk boundary
        Arrays.fill(v1, 80 * KIB + 1, 92 * KIB - 1, (byte) 0);     // blocks 20..22 (now mostly zero)
        BackupRef inc = fx.backup(driver, fx.ref(full.id()), full, fx.volume(v1));

        List<ObjectEntry> objects = fx.metadata(inc).objects();
        assertEquals(4, fx.lastOutcome.objectCount());
        assertEquals(List.of(12L * KIB, 60L * KIB, 64L * KIB, 80L * KIB),
                objects.stream().map(ObjectEntry::offset).toList());
        assertEquals(List.of(4L * KIB, 4L * KIB, 4L * KIB, 12L * KIB),
                objects.stream().map(ObjectEntry::length).toList());
        long stored = 0;
        for (String n : fx.dataObjects(driver, inc)) {
            stored += Files.size(fx.containerDir(inc).resolve(n));
        }
        assertEquals(24 * KIB, stored);
        assertEquals(full.id(), fx.metadata(inc).parentId());

        assertArrayEquals(v1, fx.restore(driver, List.of(full, inc), v1.length));
    }

    @Test
    void unchangedVolumeGivesAnEmptyIncremental() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        byte[] v0 = compressible(200 * KIB, 11);
        Path vol = fx.volume(v0);
        BackupRef full = fx.backup(driver, fx.ref(null), null, vol);
        BackupRef inc = fx.backup(driver, fx.ref(full.id()), full, vol);
        assertEquals(0, fx.lastOutcome.objectCount());
        assertEquals(List.of(), fx.metadata(inc).objects());
        assertArrayEquals(v0, fx.restore(driver, List.of(full, inc), v0.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "zlib", "bz2", "zstd"})
    void chainOfThreeRestoresEachPointInTime(String compression) throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(48 * KIB, 8 * KIB, compression));
        byte[] v0 = compressible(400 * KIB, 20);
        Arrays.fill(v0, 100 * KIB, 180 * KIB, (byte) 0);
        byte[] v1 = v0.clone();
        System.arraycopy(random(30 * KIB, 21), 0, v1, 110 * KIB, 30 * KIB); // data where there were zeros
        Arrays.fill(v1, 0, 20 * KIB, (byte) 0);                                 // zeros where there was data
        byte[] v2 = v1.clone();
        System.arraycopy(compressible(100 * KIB, 22), 0, v2, 250 * KIB, 100 * KIB);
        v2[v2.length - 1] ^= 0x7f;

        BackupRef b0 = fx.backup(driver, fx.ref(null), null, fx.volume(v0));
        BackupRef b1 = fx.backup(driver, fx.ref(b0.id()), b0, fx.volume(v1));
        BackupRef b2 = fx.backup(driver, fx.ref(b1.id()), b1, fx.volume(v2));

        assertArrayEquals(v0, fx.restore(driver, List.of(b0), v0.length));
        assertArrayEquals(v1, fx.restore(driver, List.of(b0, b1), v1.length));
        assertArrayEquals(v2, fx.restore(driver, List.of(b0, b1, b2), v2.length));
        // Restoring an older point over a newer volume gives the older data back, zero gaps included.
        Path target = fx.volume(v2);
        fx.restoreOnto(driver, List.of(b0), target);
        assertArrayEquals(v0, Files.readAllBytes(target));
    }

    @Test
    void deleteRemovesOnlyItsOwnObjects() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        String shared = "shared-container";
        byte[] v0 = compressible(300 * KIB, 30);
        byte[] v1 = v0.clone();
        v1[1000] ^= 1;
        BackupRef full = fx.backup(driver, fx.ref(null, 1, shared), null, fx.volume(v0));
        BackupRef inc = fx.backup(driver, fx.ref(full.id(), 1, shared), full, fx.volume(v1));
        Files.write(fx.root.resolve(shared).resolve("unrelated-object"), new byte[] {1});
        List<String> fullObjects = driver.store().list(shared, full.serviceMetadata());

        driver.delete(inc);
        driver.delete(inc); // again: nothing left, no error

        assertEquals(List.of(), driver.store().list(shared, inc.serviceMetadata()));
        assertEquals(fullObjects, driver.store().list(shared, full.serviceMetadata()));
        assertTrue(Files.exists(fx.root.resolve(shared).resolve("unrelated-object")));
        assertArrayEquals(v0, fx.restore(driver, List.of(full), v0.length));
    }

    @Test
    void deleteOfABackupThatNeverWroteAnythingIsFine() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        driver.delete(fx.ref(null)); // no container, no prefix
        driver.delete(fx.ref(null).withStored("no/such/container", "volume_x_1_backup_y"));
    }

    @Test
    void deleteFindsTheObjectsOfABackupThatNeverFinished() throws Exception {
        // The manager crashed after the objects were written but before service_metadata was
        // recorded: the row still has neither container nor prefix.
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        BackupRef ref = fx.ref(null);
        BackupRef stored = fx.backup(driver, ref, null, fx.volume(random(200 * KIB, 7)));
        assertTrue(driver.store().list(stored.container(), stored.serviceMetadata()).size() > 2);
        driver.delete(ref);
        assertEquals(List.of(), driver.store().list(stored.container(), stored.serviceMetadata()));
    }

    @Test
    void defaultContainerIsDerivedFromTheBackupId() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        BackupRef ref = fx.ref(null);
        BackupRef stored = fx.backup(driver, ref, null, fx.volume(random(10 * KIB, 1)));
        String id = ref.id();
        assertEquals(id.substring(0, 2) + "/" + id.substring(2, 4) + "/" + id, stored.container());
        assertEquals("volume_" + fx.volumeId + "_20261123121650_backup_" + id, stored.serviceMetadata());
        assertEquals(List.of(
                        stored.serviceMetadata() + "-00001",
                        stored.serviceMetadata() + "_metadata",
                        stored.serviceMetadata() + "_sha256file"),
                driver.store().list(stored.container(), stored.serviceMetadata()));
    }

    @Test
    void progressReachesTheVolumeSize() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        AtomicLong last = new AtomicLong();
        AtomicInteger calls = new AtomicInteger();
        byte[] data = compressible(333 * KIB, 5);
        fx.backup(driver, fx.ref(null), null, fx.volume(data), done -> {
            assertTrue(done >= last.get(), "progress never goes backwards");
            last.set(done);
            calls.incrementAndGet();
        });
        assertEquals(data.length, last.get());
        assertTrue(calls.get() > 1);
    }

    @Test
    void restoreOntoALargerTargetWritesOnlyTheBackupRange() throws Exception {
        // Sizes must be real GiB here: the backup range is backups.size.
        ChunkedBackupDriver driver = fx.driver(options(64L << 20, 32 * KIB, "zlib"), PipelineLimits.DEFAULT);
        Path source = fx.sparse(BackupRef.GIB);
        byte[] a = random(100 * KIB, 40);
        byte[] b = random(50 * KIB, 41);
        try (FileVolumeDevice dev = FileVolumeDevice.open(source, true)) {
            dev.write(12345, ByteBuffer.wrap(a));
            dev.write(BackupRef.GIB - b.length, ByteBuffer.wrap(b));
        }
        BackupRef full = fx.backup(driver, fx.ref(null), null, source);

        Path target = fx.sparse(BackupRef.GIB + (1 << 20));
        byte[] junk = random(1 << 20, 42);
        try (FileVolumeDevice dev = FileVolumeDevice.open(target, true)) {
            dev.write(0, ByteBuffer.wrap(junk));                        // inside the backup range: must be zeroed
            dev.write(BackupRef.GIB, ByteBuffer.wrap(junk));            // beyond it: must stay
        }
        fx.restoreOnto(driver, List.of(full), target);
        try (FileVolumeDevice dev = FileVolumeDevice.open(target, false)) {
            assertEquals(BackupRef.GIB + (1 << 20), dev.size());
            assertArrayEquals(expectedHead(a), read(dev, 0, 1 << 20));
            assertArrayEquals(b, read(dev, BackupRef.GIB - b.length, b.length));
            assertArrayEquals(junk, read(dev, BackupRef.GIB, 1 << 20));
            assertArrayEquals(new byte[4096], read(dev, BackupRef.GIB / 2, 4096));
        }
    }

    private static byte[] expectedHead(byte[] a) {
        byte[] head = new byte[1 << 20];
        System.arraycopy(a, 0, head, 12345, a.length);
        return head;
    }

    static byte[] read(FileVolumeDevice dev, long offset, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (dev.read(offset + b.position(), b) < 0) {
                break;
            }
        }
        return b.array();
    }

    @Test
    void restoreOntoASmallerTargetIsRefused() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        byte[] data = random(200 * KIB, 8);
        BackupRef full = fx.backup(driver, fx.ref(null), null, fx.volume(data));
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(full), 100 * KIB));
        assertTrue(e.getMessage().contains("does not fit on the target volume"), e.getMessage());
    }

    @Test
    void worksWhenThePoolRejectsEverything() throws Exception {
        java.util.concurrent.ExecutorService rejecting = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
                new java.util.concurrent.ThreadPoolExecutor.AbortPolicy());
        rejecting.shutdown(); // a shut-down pool rejects every task: the caller must do the work
        ChunkedBackupDriver driver = PosixBackupDriver.create(fx.root, options(64 * KIB, 4 * KIB, "zlib"),
                rejecting, DriverFixture.SMALL);
        byte[] data = compressible(300 * KIB, 9);
        BackupRef full = fx.backup(driver, fx.ref(null), null, fx.volume(data));
        assertArrayEquals(data, fx.restore(driver, List.of(full), data.length));
    }

    @Test
    void serviceNameAndForceDelete() {
        ChunkedBackupDriver driver = fx.driver(ChunkedOptions.defaults());
        assertEquals("cinder.backup.drivers.posix.PosixBackupDriver", driver.serviceName());
        assertTrue(driver.supportsForceDelete());
        assertFalse(driver.serviceName().isEmpty());
    }
}
