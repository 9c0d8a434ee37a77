package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.volume.FileVolumeDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ember.driver.chunked.DriverFixture.compressible;
import static dev.ember.driver.chunked.DriverFixture.options;
import static dev.ember.driver.chunked.DriverFixture.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkedFailureTest {

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

    private BackupRef fullBackup(ChunkedBackupDriver driver, byte[] data) throws Exception {
        return fx.backup(driver, fx.ref(null), null, fx.volume(data));
    }

    @Test
    void chunkSizeMustBeAMultipleOfTheShaBlockSize() {
        ChunkedBackupDriver driver = fx.driver(options(10_000, 4096, "zlib"));
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fullBackup(driver, random(10 * KIB, 1)));
        assertEquals("Chunk size is not multiple of block size for creating hash.", e.getMessage());
    }

    @Test
    void hashBlockSizeChangeRequiresAFullBackup() throws Exception {
        byte[] data = random(64 * KIB, 2);
        BackupRef full = fullBackup(fx.driver(options(64 * KIB, 4 * KIB, "zlib")), data);
        ChunkedBackupDriver changed = fx.driver(options(64 * KIB, 8 * KIB, "zlib"));
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.backup(changed, fx.ref(full.id()), full, fx.volume(data)));
        assertEquals("Hash block size has changed since the last backup. New hash block size: 8192. "
                + "Old hash block size: 4096. Do a full backup.", e.getMessage());
    }

    @Test
    void volumeGrowthRequiresAFullBackup() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        byte[] data = random(64 * KIB, 3);
        BackupRef full = fullBackup(driver, data);
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.backup(driver, fx.ref(full.id(), 2, null), full, fx.volume(data)));
        assertEquals("Volume size increased since the last backup. Do a full backup.", e.getMessage());
    }

    @Test
    void missingParentShaFileIsReported() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        byte[] data = random(64 * KIB, 3);
        BackupRef full = fullBackup(driver, data);
        driver.delete(full);
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.backup(driver, fx.ref(full.id()), full, fx.volume(data)));
        assertTrue(e.getMessage().contains("sha256file of parent backup " + full.id()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "zlib"})
    void corruptObjectIsDetected(String compression) throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, compression));
        byte[] data = compressible(200 * KIB, 4);
        BackupRef full = fullBackup(driver, data);
        ObjectEntry second = fx.metadata(full).objects().get(1);
        Path object = fx.containerDir(full).resolve(second.name());
        byte[] stored = Files.readAllBytes(object);
        stored[stored.length / 2] ^= 0x01;
        Files.write(object, stored);

        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(full), data.length));
        assertTrue(e.getMessage().startsWith("Backup object " + second.name() + " is corrupt"), e.getMessage());
    }

    @Test
    void md5MismatchIsNamed() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "none"));
        byte[] data = random(128 * KIB, 5);
        BackupRef full = fullBackup(driver, data);
        ObjectEntry first = fx.metadata(full).objects().get(0);
        Files.write(fx.containerDir(full).resolve(first.name()), random((int) first.length(), 99));
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(full), data.length));
        assertTrue(e.getMessage().contains("the MD5 of its data is"), e.getMessage());
        assertTrue(e.getMessage().contains(first.md5()), e.getMessage());
    }

    /**
     * cinder before Liberty recorded the MD5 of the compressed object: such a backup restores to
     * its data (cinder never checks the MD5), while a corrupt one is still refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"zlib", "bz2"})
    void preLibertyMd5OfCompressedBytesIsAccepted(String compression) throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, compression));
        byte[] data = compressible(200 * KIB, 6);
        BackupRef full = fullBackup(driver, data);
        Path container = fx.containerDir(full);
        Path metadata;
        try (var files = Files.list(container)) {
            metadata = files.filter(f -> f.getFileName().toString().endsWith("_metadata")).findFirst().orElseThrow();
        }
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(metadata.toFile());
        int rewritten = 0;
        for (var entry : root.withArray("objects")) {
            var fields = (com.fasterxml.jackson.databind.node.ObjectNode) entry.elements().next();
            String name = entry.fieldNames().next();
            if (fields.get("compression").isNull()) {
                continue;
            }
            byte[] stored = Files.readAllBytes(container.resolve(name));
            fields.put("md5", java.util.HexFormat.of().formatHex(Digests.md5().digest(stored)));
            rewritten++;
        }
        assertTrue(rewritten > 0, "the backup has compressed objects");
        mapper.writeValue(metadata.toFile(), root);

        org.junit.jupiter.api.Assertions.assertArrayEquals(data, fx.restore(driver, List.of(full), data.length));

        // Corrupting a compressed object still fails: neither MD5 matches.
        ObjectEntry first = fx.metadata(full).objects().get(0);
        Path object = container.resolve(first.name());
        byte[] stored = Files.readAllBytes(object);
        stored[stored.length - 1] ^= 0x01;
        Files.write(object, stored);
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(full), data.length));
        assertTrue(e.getMessage().startsWith("Backup object " + first.name() + " is corrupt"), e.getMessage());
    }

    @Test
    void truncatedObjectIsDetected() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "none"));
        byte[] data = random(128 * KIB, 5);
        BackupRef full = fullBackup(driver, data);
        ObjectEntry first = fx.metadata(full).objects().get(0);
        Files.write(fx.containerDir(full).resolve(first.name()), new byte[100]);
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(full), data.length));
        assertTrue(e.getMessage().contains("holds only 100 bytes"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"extra", "missing"})
    void objectListMustMatchMetadata(String how) throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        byte[] data = random(200 * KIB, 6);
        BackupRef full = fullBackup(driver, data);
        BackupPrefix prefix = new BackupPrefix(full.serviceMetadata());
        if (how.equals("extra")) {
            Files.write(fx.containerDir(full).resolve(prefix.objectName(99)), new byte[] {1});
        } else {
            Files.delete(fx.containerDir(full).resolve(prefix.objectName(2)));
        }
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(full), data.length));
        assertEquals("restore_backup aborted, actual object list does not match object list stored in metadata.",
                e.getMessage());
    }

    @Test
    void unknownMetadataVersionIsRefused() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        byte[] data = random(10 * KIB, 6);
        BackupRef full = fullBackup(driver, data);
        Path meta = fx.containerDir(full).resolve(new BackupPrefix(full.serviceMetadata()).metadataName());
        Files.writeString(meta, Files.readString(meta).replace("\"1.0.0\"", "\"2.0.0\""));
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(full), data.length));
        assertEquals("No support to restore backup version 2.0.0", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "/tmp/escape", "a/../../escape", "ok/..", "a\0b"})
    void containerMayNotEscapeTheBackupRoot(String container) throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.backup(driver, fx.ref(null, 1, container), null, fx.volume(random(4 * KIB, 7))));
        assertTrue(e.getMessage().startsWith("Invalid backup container"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("escape")));
        assertFalse(Files.exists(Path.of("/tmp/escape")));
        // Restore and delete of a ref carrying such a container are refused the same way.
        BackupRef forged = fx.ref(null, 1, container).withStored(container, "volume_x_1_backup_y");
        BackupDriverException r = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(forged), 4 * KIB));
        assertTrue(r.getMessage().contains("Invalid backup container"), r.getMessage());
        driver.delete(forged); // listing refused = nothing to delete, as cinder ignores listing errors
    }

    @Test
    void restoreCanBeCancelledBetweenObjects() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(16 * KIB, 4 * KIB, "zlib"));
        byte[] data = compressible(256 * KIB, 8);
        BackupRef full = fullBackup(driver, data);
        AtomicInteger polls = new AtomicInteger();
        Path target = fx.sparse(data.length);
        try (FileVolumeDevice dev = FileVolumeDevice.open(target, true)) {
            BackupDriverException e = assertThrows(BackupDriverException.Cancelled.class,
                    () -> driver.restore(List.of(full), dev, () -> polls.incrementAndGet() > 3));
            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        }
        assertEquals(4, polls.get(), "stops at the first poll that says cancelled");
    }

    @Test
    void failedBackupLeavesNothingBehindAndReportsAFullDisk() throws Exception {
        ChunkedBackupDriver real = fx.driver(options(64 * KIB, 4 * KIB, "none"));
        ObjectStore failing = new FailingStore(real.store(), 3);
        ChunkedBackupDriver driver = new ChunkedBackupDriver(PosixBackupDriver.SERVICE_NAME, failing,
                ContainerNaming.POSIX, real.options(), fx.pool, DriverFixture.SMALL);
        BackupRef ref = fx.ref(null, 1, "c");
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.backup(driver, ref, null, fx.volume(random(400 * KIB, 9))));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertTrue(e.getMessage().contains("backup repository is full"), e.getMessage());
        try (var files = Files.list(fx.root.resolve("c"))) {
            assertEquals(List.of(), files.toList(), "no objects and no temporary files remain");
        }
    }

    @Test
    void failureOfTheSourceCleansUpToo() throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        Path vol = fx.volume(random(400 * KIB, 10));
        BackupRef ref = fx.ref(null, 1, "c2");
        FileVolumeDevice dev = FileVolumeDevice.open(vol, false);
        dev.close(); // every read now fails
        assertThrows(BackupDriverException.class, () -> driver.backup(ref, null, dev, ProgressListener.NONE));
        try (var files = Files.list(fx.root.resolve("c2"))) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void restoreOfAForeignBackupWithoutPrefixIsRefused() {
        ChunkedBackupDriver driver = fx.driver(options(64 * KIB, 4 * KIB, "zlib"));
        BackupDriverException e = assertThrows(BackupDriverException.class,
                () -> fx.restore(driver, List.of(fx.ref(null).withStored("c", null)), 4 * KIB));
        assertTrue(e.getMessage().contains("no object prefix"), e.getMessage());
    }

    /** Delegates to a real store but fails the n-th object write like a full disk would. */
    static class FailingStore implements ObjectStore {
        private final ObjectStore real;
        private final AtomicInteger remaining;

        FailingStore(ObjectStore real, int failOnObject) {
            this.real = real;
            this.remaining = new AtomicInteger(failOnObject);
        }

        @Override
        public void createContainer(String container) throws IOException {
            real.createContainer(container);
        }

        @Override
        public ObjectWriter create(String container, String name) throws IOException {
            ObjectWriter w = real.create(container, name);
            if (remaining.decrementAndGet() > 0) {
                return w;
            }
            return new ObjectWriter() {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    throw new IOException("No space left on device");
                }

                @Override
                public void overwrite(long position, byte[] data) throws IOException {
                    throw new IOException("No space left on device");
                }

                @Override
                public long bytesWritten() {
                    return w.bytesWritten();
                }

                @Override
                public void commit() throws IOException {
                    w.commit();
                }

                @Override
                public void close() throws IOException {
                    w.close();
                }
            };
        }

        @Override
        public InputStream open(String container, String name) throws IOException {
            return real.open(container, name);
        }

        @Override
        public List<String> list(String container, String prefix) throws IOException {
            return real.list(container, prefix);
        }

        @Override
        public void delete(String container, String name) throws IOException {
            real.delete(container, name);
        }
    }
}
