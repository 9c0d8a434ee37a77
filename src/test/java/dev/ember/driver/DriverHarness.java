package dev.ember.driver;

import dev.ember.device.VolumeDevice;

import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.util.List;
import java.util.SortedSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * What {@link BackupDriverContract} needs from one driver under test: the driver, volumes it can
 * back up from and restore onto, a look at what the backend (and a source's own state) holds, and
 * a way to make a backup fail while it writes. One harness per test; {@link #close()} removes
 * everything it made.
 */
public interface DriverHarness extends AutoCloseable {

    /** The driver under test. */
    BackupDriver driver();

    /** A new volume of {@code size} bytes reading as zeros; answers its id. */
    String newVolume(long size) throws Exception;

    /**
     * Opens a volume as the manager hands it to the driver (the backup source, or the restore
     * target). The caller closes it.
     */
    VolumeDevice open(String volumeId) throws Exception;

    /**
     * Everything stored for the volumes and backups of this harness, one name a line:
     * {@code backend:...} for what lives in the backup store (objects, images, snapshots,
     * metadata objects, temporary files) and {@code source:...} for state a driver leaves on the
     * source volumes (e.g. RBD snapshots).
     */
    SortedSet<String> stored() throws Exception;

    /**
     * A driver with a fault injected into its writes: its next {@link BackupDriver#backup} fails
     * after it has written part of the backup's data. The default stops the backup from its
     * progress listener with an unexpected exception after the first reported progress; harnesses
     * that can fail the storage itself (a full disk) do that instead.
     */
    default BackupDriver failingMidWrite() {
        return new DelegatingDriver(driver()) {
            @Override
            public BackupOutcome backup(BackupRef backup, BackupRef parent, VolumeDevice source,
                                        ProgressListener progress) throws BackupDriverException {
                return super.backup(backup, parent, source, done -> {
                    if (done > 0) {
                        throw new IllegalStateException("injected failure after " + done + " bytes");
                    }
                });
            }
        };
    }

    /** A new backup of {@code volumeId} (1 GiB, the driver's default container). */
    default BackupRef ref(String volumeId, String parentId) {
        String id = UUID.randomUUID().toString();
        return new BackupRef(id, volumeId, 1, null, null, "contract " + id.substring(0, 8), "contract test",
                LocalDateTime.now().withNano(0), parentId);
    }

    /** Writes {@code data} at {@code offset} of the volume. */
    default void write(String volumeId, long offset, byte[] data) throws Exception {
        try (VolumeDevice dev = open(volumeId)) {
            dev.write(offset, ByteBuffer.wrap(data));
            dev.flush();
        }
    }

    @Override
    void close() throws Exception;

    /** Passes every call to another driver; for fault injection. */
    class DelegatingDriver implements BackupDriver {
        private final BackupDriver real;

        public DelegatingDriver(BackupDriver real) {
            this.real = real;
        }

        @Override
        public String serviceName() {
            return real.serviceName();
        }

        @Override
        public boolean supportsForceDelete() {
            return real.supportsForceDelete();
        }

        @Override
        public BackupOutcome backup(BackupRef backup, BackupRef parent, VolumeDevice source, ProgressListener progress)
                throws BackupDriverException {
            return real.backup(backup, parent, source, progress);
        }

        @Override
        public void restore(List<BackupRef> chain, VolumeDevice target, BooleanSupplier cancelled)
                throws BackupDriverException {
            real.restore(chain, target, cancelled);
        }

        @Override
        public List<String> volumeMetadata(List<BackupRef> chain) throws BackupDriverException {
            return real.volumeMetadata(chain);
        }

        @Override
        public void delete(BackupRef backup) throws BackupDriverException {
            real.delete(backup);
        }
    }
}
