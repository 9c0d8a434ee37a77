package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;
import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Restores a chain, full backup first, each incremental layered on top, as cinder's
 * {@code _restore_v1} does, with the same checks (metadata version, object listing equals the
 * metadata's list). Objects of one backup never overlap, so they are restored several at a time
 * on the pool; backups of the chain are applied strictly in order.
 *
 * <p>A full backup written by Ember may leave all-zero ranges out (see
 * {@link ChunkedBackupDriver}); those gaps are zeroed on the target first. Cinder's full backups
 * cover the whole volume, so for them there is nothing to zero.
 */
final class RestoreJob {

    private final ObjectStore store;
    private final PipelineLimits limits;
    private final Executor pool;
    private final ContainerNaming naming;

    RestoreJob(ObjectStore store, PipelineLimits limits, Executor pool, ContainerNaming naming) {
        this.store = store;
        this.limits = limits;
        this.pool = pool;
        this.naming = naming;
    }

    void run(List<BackupRef> chain, VolumeDevice target, BooleanSupplier cancelled) throws BackupDriverException {
        if (chain.isEmpty()) {
            throw new BackupDriverException("Nothing to restore: the backup chain is empty.");
        }
        BackupRef requested = chain.get(chain.size() - 1);
        try {
            long targetSize = target.size();
            for (int i = 0; i < chain.size(); i++) {
                restoreOne(chain.get(i), i == 0, target, targetSize, cancelled, requested);
            }
            target.flush();
        } catch (IOException | RuntimeException e) {
            throw DriverErrors.of("restoring backup " + requested.id(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupDriverException("Restore of backup " + requested.id() + " was interrupted.", e);
        }
    }

    private void restoreOne(BackupRef backup, boolean full, VolumeDevice target, long targetSize,
                            BooleanSupplier cancelled, BackupRef requested)
            throws IOException, InterruptedException, BackupDriverException {
        checkCancelled(cancelled, requested);
        if (backup.serviceMetadata() == null || backup.serviceMetadata().isEmpty()) {
            throw new BackupDriverException("Backup " + backup.id()
                    + " has no object prefix (service_metadata); it was not written by a chunked driver.");
        }
        BackupPrefix prefix = new BackupPrefix(backup.serviceMetadata());
        String container = backup.container() != null ? backup.container() : naming.containerFor(backup);
        BackupMetadataFile metadata = readMetadata(backup, container, prefix);
        if (!BackupHeader.VERSION.equals(metadata.header().version())) {
            throw new BackupDriverException("No support to restore backup version " + metadata.header().version());
        }
        checkListing(container, prefix, metadata);
        List<ObjectEntry> objects = metadata.objects();
        for (ObjectEntry o : objects) {
            if (o.offset() < 0 || o.length() < 0 || o.end() > targetSize) {
                throw new BackupDriverException("Backup object " + o.name() + " (offset " + o.offset() + ", length "
                        + o.length() + ") does not fit on the target volume of " + targetSize + " bytes.");
            }
        }
        if (full) {
            long limit = backup.sizeBytes() > 0 ? Math.min(backup.sizeBytes(), targetSize) : 0;
            zeroGaps(objects, limit, target, cancelled, requested);
        }
        ObjectRestorer restorer = new ObjectRestorer(store, container, target);
        OrderedWindow<Void> window = new OrderedWindow<>(pool, overlapping(objects) ? 1 : limits.inFlight());
        boolean done = false;
        try {
            for (ObjectEntry object : objects) {
                checkCancelled(cancelled, requested);
                if (window.isFull()) {
                    window.takeOldest();
                }
                window.submit(() -> {
                    restorer.restore(object);
                    return null;
                });
            }
            while (!window.isEmpty()) {
                window.takeOldest();
            }
            done = true;
        } finally {
            if (!done) {
                window.abort();
            }
        }
    }

    /** The {@code volume_meta} of {@code backup}'s {@code _metadata} (null: none). */
    String volumeMeta(BackupRef backup) throws BackupDriverException {
        if (backup.serviceMetadata() == null || backup.serviceMetadata().isEmpty()) {
            return null;
        }
        String container = backup.container() != null ? backup.container() : naming.containerFor(backup);
        return readMetadata(backup, container, new BackupPrefix(backup.serviceMetadata())).volumeMeta();
    }

    private BackupMetadataFile readMetadata(BackupRef backup, String container, BackupPrefix prefix)
            throws BackupDriverException {
        byte[] json;
        try (InputStream in = store.open(container, prefix.metadataName())) {
            json = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new BackupDriverException("The metadata object " + prefix.metadataName() + " of backup " + backup.id()
                    + " does not exist in container " + container + ".", e);
        } catch (IOException e) {
            throw DriverErrors.of("reading the metadata of backup " + backup.id(), e);
        }
        try {
            return BackupMetadataFile.parse(json);
        } catch (IOException e) {
            throw new BackupDriverException("The metadata object " + prefix.metadataName() + " of backup "
                    + backup.id() + " is unusable: " + e.getMessage(), e);
        }
    }

    /** cinder: the objects in the container must be exactly the objects the metadata lists. */
    private void checkListing(String container, BackupPrefix prefix, BackupMetadataFile metadata)
            throws IOException, BackupDriverException {
        List<String> actual = new ArrayList<>(store.list(container, prefix.value()));
        actual.remove(prefix.metadataName());
        actual.remove(prefix.shaFileName());
        List<String> expected = new ArrayList<>();
        for (ObjectEntry o : metadata.objects()) {
            expected.add(o.name());
        }
        actual.sort(null);
        expected.sort(null);
        if (!actual.equals(expected)) {
            throw new BackupDriverException(
                    "restore_backup aborted, actual object list does not match object list stored in metadata.");
        }
    }

    /** Zeroes {@code [0, limit)} minus what the objects cover. */
    private static void zeroGaps(List<ObjectEntry> objects, long limit, VolumeDevice target,
                                 BooleanSupplier cancelled, BackupRef requested)
            throws IOException, BackupDriverException {
        List<ObjectEntry> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparingLong(ObjectEntry::offset));
        long covered = 0;
        for (ObjectEntry o : sorted) {
            if (o.offset() > covered && covered < limit) {
                checkCancelled(cancelled, requested);
                target.zero(covered, Math.min(o.offset(), limit) - covered);
            }
            covered = Math.max(covered, o.end());
        }
        if (covered < limit) {
            checkCancelled(cancelled, requested);
            target.zero(covered, limit - covered);
        }
    }

    private static boolean overlapping(List<ObjectEntry> objects) {
        List<ObjectEntry> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparingLong(ObjectEntry::offset));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).offset() < sorted.get(i - 1).end()) {
                return true;
            }
        }
        return false;
    }

    private static void checkCancelled(BooleanSupplier cancelled, BackupRef requested)
            throws BackupDriverException.Cancelled {
        if (cancelled.getAsBoolean()) {
            throw new BackupDriverException.Cancelled("Restore of backup " + requested.id()
                    + " was cancelled: the backup is no longer in status restoring.");
        }
    }
}
