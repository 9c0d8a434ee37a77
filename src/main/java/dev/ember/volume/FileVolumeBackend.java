package dev.ember.volume;

import dev.ember.device.VolumeDevice;
import dev.ember.model.Volume;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Volumes as sparse files {@code <volumes_dir>/volume-<id>}: the embedded profile's stand-in for a
 * cinder-volume backend.
 */
public final class FileVolumeBackend implements VolumeStore, VolumeDevices {

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

    /** The volume file: the backup source of a volume, the restore target, the cleanup's volume. */
    public VolumeDevice open(String volumeId, boolean writable) throws IOException {
        Path p = pathOf(volumeId);
        if (!Files.exists(p)) {
            throw new IOException("volume file " + p.getFileName() + " does not exist");
        }
        return FileVolumeDevice.open(p, writable);
    }

    public Path snapshotPathOf(String snapshotId) {
        return dir.resolve("snapshot-" + snapshotId);
    }

    @Override
    public void extend(String volumeId, long newSizeBytes) throws IOException {
        Path p = pathOf(volumeId);
        if (!Files.exists(p)) {
            throw new IOException("volume file " + p.getFileName() + " does not exist");
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            if (f.length() < newSizeBytes) {
                f.setLength(newSizeBytes);
            }
        }
    }

    /** A snapshot is a sparse copy of the volume file, {@code <volumes_dir>/snapshot-<id>}. */
    @Override
    public void createSnapshot(String volumeId, String snapshotId) throws IOException {
        Path src = pathOf(volumeId);
        Path dst = snapshotPathOf(snapshotId);
        Path tmp = dir.resolve(".snapshot-" + snapshotId + ".tmp");
        Process p = new ProcessBuilder("cp", "--sparse=always", "--reflink=auto", src.toString(), tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                Files.deleteIfExists(tmp);
                throw new IOException("copying " + src.getFileName() + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            Files.deleteIfExists(tmp);
            throw new java.io.InterruptedIOException("interrupted while snapshotting " + src.getFileName());
        }
        Files.move(tmp, dst, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void deleteSnapshot(String volumeId, String snapshotId) throws IOException {
        Files.deleteIfExists(snapshotPathOf(snapshotId));
    }

    @Override
    public VolumeDevice openBackupSource(Volume volume, String snapshotId) throws IOException {
        if (snapshotId == null) {
            return open(volume.id(), false);
        }
        Path p = snapshotPathOf(snapshotId);
        if (!Files.exists(p)) {
            throw new IOException("snapshot file " + p.getFileName() + " does not exist");
        }
        return FileVolumeDevice.open(p, false);
    }

    @Override
    public VolumeDevice openRestoreTarget(String volumeId) throws IOException {
        return open(volumeId, true);
    }

    @Override
    public VolumeDevice openForCleanup(String volumeId) throws IOException {
        return open(volumeId, false);
    }

    /** Nothing to release: a backup reads the volume or snapshot file itself, never a temporary copy. */
    @Override
    public void releaseInterruptedBackupSource(String volumeId, Predicate<String> isVolume) {
    }
}
