package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.volume.FileVolumeDevice;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Shared set-up for driver tests: a backup root, volumes as files, refs and the pool. */
final class DriverFixture implements AutoCloseable {

    static final LocalDateTime CREATED = LocalDateTime.of(2026, 11, 23, 12, 16, 50);
    /** Small segments so that tiny test volumes still exercise multi-segment objects and probing. */
    static final PipelineLimits SMALL = new PipelineLimits(16 * 1024, 4, 48 * 1024);

    final Path dir;
    final Path root;
    final ExecutorService pool = Executors.newFixedThreadPool(3);
    final String volumeId = UUID.randomUUID().toString();
    private int volumes;

    DriverFixture(Path dir) {
        this.dir = dir;
        this.root = dir.resolve("backup");
    }

    ChunkedBackupDriver driver(ChunkedOptions options) {
        return driver(options, SMALL);
    }

    ChunkedBackupDriver driver(ChunkedOptions options, PipelineLimits limits) {
        return PosixBackupDriver.create(root, options, pool, limits);
    }

    static ChunkedOptions options(long chunk, int sha, String compression) {
        return new ChunkedOptions(chunk, sha, compression, true);
    }

    BackupRef ref(String parentId) {
        return ref(parentId, 1, null);
    }

    BackupRef ref(String parentId, int sizeGb, String container) {
        return new BackupRef(UUID.randomUUID().toString(), volumeId, sizeGb, container, null, "name",
                "description", CREATED, parentId);
    }

    Path volume(byte[] data) throws IOException {
        Path p = dir.resolve("vol-" + (volumes++));
        Files.write(p, data);
        return p;
    }

    Path sparse(long size) throws IOException {
        Path p = dir.resolve("vol-" + (volumes++));
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    /** Backs up and returns the ref as the manager would store it afterwards. */
    BackupRef backup(ChunkedBackupDriver driver, BackupRef ref, BackupRef parent, Path volume)
            throws IOException, BackupDriverException {
        return backup(driver, ref, parent, volume, ProgressListener.NONE);
    }

    BackupRef backup(ChunkedBackupDriver driver, BackupRef ref, BackupRef parent, Path volume,
                     ProgressListener progress) throws IOException, BackupDriverException {
        try (FileVolumeDevice dev = FileVolumeDevice.open(volume, false)) {
            BackupOutcome out = driver.backup(ref, parent, dev, progress);
            lastOutcome = out;
            return ref.withStored(out.container(), out.serviceMetadata());
        }
    }

    BackupOutcome lastOutcome;

    /** Restores onto a new sparse file of {@code size} bytes and returns its content. */
    byte[] restore(ChunkedBackupDriver driver, List<BackupRef> chain, long size)
            throws IOException, BackupDriverException {
        Path target = sparse(size);
        restoreOnto(driver, chain, target);
        return Files.readAllBytes(target);
    }

    void restoreOnto(ChunkedBackupDriver driver, List<BackupRef> chain, Path target)
            throws IOException, BackupDriverException {
        try (FileVolumeDevice dev = FileVolumeDevice.open(target, true)) {
            driver.restore(chain, dev, () -> false);
        }
    }

    Path containerDir(BackupRef stored) {
        return root.resolve(stored.container());
    }

    /** Names of the data objects of a backup, in order. */
    List<String> dataObjects(ChunkedBackupDriver driver, BackupRef stored) throws IOException {
        List<String> out = new ArrayList<>();
        BackupPrefix prefix = new BackupPrefix(stored.serviceMetadata());
        for (String n : driver.store().list(stored.container(), prefix.value())) {
            if (!n.equals(prefix.metadataName()) && !n.equals(prefix.shaFileName())) {
                out.add(n);
            }
        }
        return out;
    }

    BackupMetadataFile metadata(BackupRef stored) throws IOException {
        BackupPrefix prefix = new BackupPrefix(stored.serviceMetadata());
        return BackupMetadataFile.parse(Files.readAllBytes(containerDir(stored).resolve(prefix.metadataName())));
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Data that compresses: text-like with some randomness. */
    static byte[] compressible(int size, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[size];
        String words = "volume backup chunk object restore cinder ember zero block hash ";
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (r.nextInt(16) == 0 ? r.nextInt(256) : words.charAt(i % words.length()));
        }
        return b;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
