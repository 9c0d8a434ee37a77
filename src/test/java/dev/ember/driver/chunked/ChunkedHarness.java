package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriver;
import dev.ember.driver.DriverHarness;
import dev.ember.device.VolumeDevice;
import dev.ember.volume.FileVolumeDevice;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The chunked driver over some {@link ObjectStore}, with file-backed volumes (the embedded
 * profile's). Small objects and segments, so a 12 MiB volume spans many objects; the fault is a
 * store whose second object write fails as on a full disk.
 */
abstract class ChunkedHarness implements DriverHarness {

    static final ChunkedOptions OPTIONS = new ChunkedOptions(1 << 20, 64 * 1024, "zlib", true);

    final Path dir;
    final ExecutorService pool = Executors.newFixedThreadPool(3);
    final ObjectStore store;
    final ChunkedBackupDriver driver;

    ChunkedHarness(Path dir, ObjectStore store) {
        this.dir = dir;
        this.store = store;
        this.driver = on(store);
    }

    private ChunkedBackupDriver on(ObjectStore s) {
        return new ChunkedBackupDriver(PosixBackupDriver.SERVICE_NAME, s, ContainerNaming.POSIX, OPTIONS, pool,
                DriverFixture.SMALL);
    }

    @Override
    public BackupDriver driver() {
        return driver;
    }

    @Override
    public BackupDriver failingMidWrite() {
        return on(new ChunkedFailureTest.FailingStore(store, 2));
    }

    @Override
    public String newVolume(long size) throws Exception {
        String id = UUID.randomUUID().toString();
        try (RandomAccessFile f = new RandomAccessFile(volume(id).toFile(), "rw")) {
            f.setLength(size);
        }
        return id;
    }

    private Path volume(String id) {
        return dir.resolve("volume-" + id);
    }

    @Override
    public VolumeDevice open(String volumeId) throws Exception {
        return FileVolumeDevice.open(volume(volumeId), true);
    }

    @Override
    public abstract SortedSet<String> stored() throws Exception;

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
