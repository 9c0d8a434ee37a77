package dev.ember.volume;

import dev.ember.driver.VolumeDevice;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Volumes as sparse files {@code <volumes_dir>/volume-<id>}: the embedded profile's stand-in for a
 * cinder-volume backend.
 */
public final class FileVolumeBackend implements VolumeBackend {

    private final Path dir;

    public FileVolumeBackend(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
    }

    public Path pathOf(String volumeId) {
        // Volume ids are validated UUIDs by the time they get here; resolve() keeps it in dir.
        return dir.resolve("volume-" + volumeId);
    }

    @Override
    public void create(String volumeId, long sizeBytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(pathOf(volumeId).toFile(), "rw")) {
            f.setLength(sizeBytes);
        }
    }

    @Override
    public void delete(String volumeId) throws IOException {
        Files.deleteIfExists(pathOf(volumeId));
    }

    @Override
    public VolumeDevice open(String volumeId, boolean writable) throws IOException {
        Path p = pathOf(volumeId);
        if (!Files.exists(p)) {
            throw new IOException("volume file " + p.getFileName() + " does not exist");
        }
        return FileVolumeDevice.open(p, writable);
    }
}
