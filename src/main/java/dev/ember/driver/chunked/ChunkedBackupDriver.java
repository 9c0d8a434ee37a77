package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriver;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * Cinder's chunked backup format ({@code cinder/backup/chunkeddriver.py}) over any
 * {@link ObjectStore}: the volume is cut into objects of at most {@code backup_file_size} bytes,
 * each compressed only if that makes it smaller, with an MD5 per object in {@code _metadata} and
 * a SHA-256 per {@code backup_sha_block_size_bytes} block in {@code _sha256file}; incremental
 * backups store only runs of blocks whose hash changed. Backups written by cinder restore here,
 * and backups written here restore with cinder (caveats below).
 *
 * <h2>All-zero blocks</h2>
 * Zero blocks are recognised by a memory scan before any hashing or compression; their SHA-256
 * is a cached constant, so they cost the read and nothing else. In <em>incremental</em> backups
 * zero blocks are compared like any other (a block that became zero has changed and is stored,
 * compressing to almost nothing). <em>Full</em> backups cover every byte by default, exactly like
 * cinder's (zero blocks still skip hashing, and zlib/bz2 take their compressed form from a cache),
 * because that is what cinder's own restore needs: cinder restores onto an existing volume by
 * writing only what the objects hold. With {@code ember_backup_sparse_full = true} Ember leaves
 * zero blocks out of a full backup's objects altogether (a 10 GiB volume holding a few MiB backs
 * up in seconds), so an object list may have gaps, just like an incremental's; the sha256file
 * still lists every block, and Ember's restore zeroes the gaps on the target with
 * {@link VolumeDevice#zero} (which leaves the holes of a sparse file alone and can discard on
 * RBD), so its result is bit-identical. Cinder restores such a backup correctly onto a new volume
 * only: onto an existing volume with other data, that data would stay in the gaps.
 *
 * <h2>Memory and parallelism</h2>
 * Nothing ever holds an object in memory: segments of about a MiB are read, zero-checked, hashed
 * and (zlib, bz2) compressed on the given pool with a bounded number in flight
 * ({@link PipelineLimits}), and streamed to the store in volume order by the calling thread,
 * which also computes the per-object MD5. zlib and bz2 objects are concatenations of independently
 * compressed pieces that still form one ordinary stream (see {@link PieceCodec}); zstd objects
 * are one frame compressed as a stream on the calling thread, because older python-zstd cannot
 * read multi-frame objects (see {@link ZstdFrameForm}). Once an object turned out not to
 * compress, workers stop compressing its data (encrypted volumes cost no compression CPU).
 * Restores stream each object through a bounded buffer, several objects at a time.
 */
public final class ChunkedBackupDriver implements BackupDriver {

    private final String serviceName;
    private final ObjectStore store;
    private final ContainerNaming naming;
    private final ChunkedOptions options;
    private final ExecutorService pool;
    private final PipelineLimits limits;

    /**
     * @param serviceName the cinder class path this driver answers to ({@code backups.service})
     * @param pool        bounded pool for hashing, compression and restore work; shared with
     *                    other backups is fine, and it may be small or saturated (callers help out)
     */
    public ChunkedBackupDriver(String serviceName, ObjectStore store, ContainerNaming naming, ChunkedOptions options,
                               ExecutorService pool, PipelineLimits limits) {
        this.serviceName = serviceName;
        this.store = store;
        this.naming = naming;
        this.options = options;
        this.pool = pool;
        this.limits = limits;
    }

    public ChunkedBackupDriver(String serviceName, ObjectStore store, ContainerNaming naming, ChunkedOptions options,
                               ExecutorService pool) {
        this(serviceName, store, naming, options, pool, PipelineLimits.DEFAULT);
    }

    public ChunkedOptions options() {
        return options;
    }

    public ObjectStore store() {
        return store;
    }

    @Override
    public String serviceName() {
        return serviceName;
    }

    @Override
    public boolean supportsForceDelete() {
        return true;
    }

    @Override
    public BackupOutcome backup(BackupRef backup, BackupRef parent, VolumeDevice source, ProgressListener progress)
            throws BackupDriverException {
        return new BackupJob(store, options, limits, pool, naming)
                .run(backup, parent, source, progress == null ? ProgressListener.NONE : progress);
    }

    @Override
    public void restore(List<BackupRef> chain, VolumeDevice target, BooleanSupplier cancelled)
            throws BackupDriverException {
        new RestoreJob(store, limits, pool, naming).run(chain, target, cancelled == null ? () -> false : cancelled);
    }

    /** cinder's chunked restore puts back each backup's volume_meta, from the full backup up. */
    @Override
    public List<String> volumeMetadata(List<BackupRef> chain) throws BackupDriverException {
        RestoreJob job = new RestoreJob(store, limits, pool, naming);
        List<String> out = new java.util.ArrayList<>();
        for (BackupRef b : chain) {
            String meta = job.volumeMeta(b);
            if (meta != null && !meta.isEmpty()) {
                out.add(meta);
            }
        }
        return out;
    }

    /** Its objects, and the temporary files of objects it was writing when the process died. */
    @Override
    public void cleanupInterrupted(BackupRef backup, SourceOpener source) throws BackupDriverException {
        delete(backup);
        if (backup.createdAt() == null) {
            return; // no prefix can be derived (see delete)
        }
        String prefix = backup.serviceMetadata() != null && !backup.serviceMetadata().isEmpty()
                ? backup.serviceMetadata() : BackupPrefix.forBackup(backup).value();
        try {
            store.deleteUncommitted(naming.containerFor(backup), prefix);
        } catch (IOException e) {
            throw DriverErrors.of("removing temporary files of backup " + backup.id(), e);
        }
    }

    /**
     * Deletes every object under the backup's prefix, as cinder does: a listing error means there
     * is nothing to delete, and objects that vanished meanwhile are fine.
     */
    @Override
    public void delete(BackupRef backup) throws BackupDriverException {
        // A backup that never finished (a crash, a kill) has no service_metadata yet: its objects
        // are still found, because container and prefix derive from the backup itself.
        String container = naming.containerFor(backup);
        String prefix = backup.serviceMetadata() != null && !backup.serviceMetadata().isEmpty()
                ? backup.serviceMetadata() : BackupPrefix.forBackup(backup).value();
        if (backup.createdAt() == null && (backup.serviceMetadata() == null || backup.serviceMetadata().isEmpty())) {
            return;
        }
        List<String> names;
        try {
            names = store.list(container, prefix);
        } catch (IOException e) {
            return;
        }
        for (String name : names) {
            try {
                store.delete(container, name);
            } catch (IOException e) {
                throw DriverErrors.of("deleting object " + name + " of backup " + backup.id(), e);
            }
        }
    }
}
