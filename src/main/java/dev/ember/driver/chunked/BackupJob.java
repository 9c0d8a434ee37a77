package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupOutcome;
import dev.ember.driver.BackupRef;
import dev.ember.driver.ProgressListener;
import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One backup, start to finish. The calling thread reads nothing itself: it keeps a bounded window
 * of segments being read, hashed and compressed on the pool, and consumes the results in volume
 * order (sha256file, data objects), so MD5s and object boundaries come out exactly as a
 * sequential pass would produce them.
 */
final class BackupJob {

    private final ObjectStore store;
    private final ChunkedOptions options;
    private final PipelineLimits limits;
    private final Executor pool;
    private final ContainerNaming naming;

    BackupJob(ObjectStore store, ChunkedOptions options, PipelineLimits limits, Executor pool, ContainerNaming naming) {
        this.store = store;
        this.options = options;
        this.limits = limits;
        this.pool = pool;
        this.naming = naming;
    }

    BackupOutcome run(BackupRef backup, BackupRef parent, VolumeDevice source, ProgressListener progress)
            throws BackupDriverException {
        options.checkUsableForBackup();
        if (parent != null) {
            checkParent(backup, parent);
        }
        String container = naming.containerFor(backup);
        try {
            store.createContainer(container);
        } catch (IOException e) {
            throw DriverErrors.of("creating backup container " + container, e);
        }
        BackupPrefix prefix = BackupPrefix.forBackup(backup);
        try {
            List<ObjectEntry> objects = writeBackup(backup, parent, source, progress, container, prefix);
            return new BackupOutcome(container, prefix.value(), objects.size());
        } catch (ProgressListener.Stop e) {
            deleteQuietly(container, prefix);
            throw new BackupDriverException.Cancelled(e.getMessage());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(container, prefix);
            throw DriverErrors.of("backing up volume " + backup.volumeId() + " to container " + container, e);
        } catch (InterruptedException e) {
            deleteQuietly(container, prefix);
            Thread.currentThread().interrupt();
            throw new BackupDriverException("Backup " + backup.id() + " was interrupted.", e);
        } catch (Error e) {
            deleteQuietly(container, prefix); // e.g. OutOfMemoryError: still leave nothing behind
            throw e;
        }
    }

    private void checkParent(BackupRef backup, BackupRef parent) throws BackupDriverException {
        long parentBlock;
        try (InputStream in = store.open(parentContainer(parent), parentPrefix(parent).shaFileName())) {
            parentBlock = ShaFileReader.chunkSize(in);
        } catch (NoSuchFileException e) {
            throw new BackupDriverException("The sha256file of parent backup " + parent.id()
                    + " does not exist; do a full backup.", e);
        } catch (IOException e) {
            throw DriverErrors.of("reading the sha256file of parent backup " + parent.id(), e);
        }
        if (parentBlock != options.shaBlockSizeBytes()) {
            throw new BackupDriverException("Hash block size has changed since the last backup. New hash block size: "
                    + options.shaBlockSizeBytes() + ". Old hash block size: " + parentBlock + ". Do a full backup.");
        }
        if (backup.sizeGb() > parent.sizeGb()) {
            throw new BackupDriverException("Volume size increased since the last backup. Do a full backup.");
        }
    }

    private List<ObjectEntry> writeBackup(BackupRef backup, BackupRef parent, VolumeDevice source,
                                          ProgressListener progress, String container, BackupPrefix prefix)
            throws IOException, InterruptedException {
        long size = source.size();
        if (size <= 0) {
            throw new IOException("the volume is empty (0 bytes)");
        }
        int shaBlock = options.shaBlockSizeBytes();
        int segment = limits.segmentFor(shaBlock);
        PieceCodec codec = PieceCodec.of(options.compression());
        int inFlight = limits.inFlightFor(segment);
        SegmentBuffers buffers = new SegmentBuffers(segment, inFlight + 1);
        AtomicBoolean skipCompression = new AtomicBoolean();
        SegmentScanner scanner = new SegmentScanner(source, shaBlock, codec,
                parent == null && options.sparseFullBackups(), buffers, skipCompression);
        ObjectAssembler assembler = new ObjectAssembler(store, container, prefix, options.chunkSizeBytes(),
                CompressedForm.factory(options.compression(), codec), options.compressionLabel(), limits.probeBytes(),
                source, skipCompression);
        OrderedWindow<ScannedSegment> window = new OrderedWindow<>(pool, inFlight);
        BackupHeader header = BackupHeader.of(backup);
        ShaFileReader parentHashes = null;
        ShaFileWriter shaFile = null;
        boolean done = false;
        try {
            if (parent != null) {
                parentHashes = new ShaFileReader(store.open(parentContainer(parent), parentPrefix(parent).shaFileName()));
            }
            shaFile = new ShaFileWriter(store.create(container, prefix.shaFileName()), header, shaBlock);
            long next = 0;
            while (next < size || !window.isEmpty()) {
                while (next < size && !window.isFull()) {
                    long offset = next;
                    long chunkEnd = (offset / options.chunkSizeBytes() + 1) * options.chunkSizeBytes();
                    int length = (int) Math.min(segment, Math.min(chunkEnd, size) - offset);
                    List<byte[]> parentBlock = parentHashes == null ? null : take(parentHashes, length, shaBlock);
                    window.submit(() -> scanner.scan(offset, length, parentBlock));
                    next = offset + length;
                }
                ScannedSegment s = window.takeOldest();
                for (byte[] hash : s.hashes()) {
                    shaFile.add(hash);
                }
                assembler.accept(s);
                buffers.release(s.data()); // the assembler keeps no reference to segment data
                progress.progress(s.offset() + s.length());
            }
            List<ObjectEntry> objects = assembler.finish();
            shaFile.commit();
            String parentId = backup.parentId() != null ? backup.parentId() : parent == null ? null : parent.id();
            writeMetadata(container, prefix, new BackupMetadataFile(header, parentId, objects, backup.volumeMeta()));
            done = true;
            return objects;
        } finally {
            if (!done) {
                window.abort();
                assembler.abort();
            }
            closeQuietly(shaFile);
            closeQuietly(parentHashes);
        }
    }

    /** The parent's hashes for the blocks of the next segment, in order (null where it has none). */
    private static List<byte[]> take(ShaFileReader parent, int length, int shaBlock) throws IOException {
        int blocks = (length + shaBlock - 1) / shaBlock;
        List<byte[]> out = new ArrayList<>(blocks);
        for (int i = 0; i < blocks; i++) {
            out.add(parent.next());
        }
        return out;
    }

    private void writeMetadata(String container, BackupPrefix prefix, BackupMetadataFile metadata) throws IOException {
        try (ObjectWriter w = store.create(container, prefix.metadataName())) {
            w.write(metadata.toJson().getBytes(StandardCharsets.UTF_8));
            w.commit();
        }
    }

    private String parentContainer(BackupRef parent) {
        return parent.container() != null ? parent.container() : naming.containerFor(parent);
    }

    private static BackupPrefix parentPrefix(BackupRef parent) throws IOException {
        if (parent.serviceMetadata() == null || parent.serviceMetadata().isEmpty()) {
            throw new IOException("parent backup " + parent.id() + " has no object prefix (service_metadata)");
        }
        return new BackupPrefix(parent.serviceMetadata());
    }

    /** Removes everything this backup may have written: a failed backup leaves nothing behind. */
    private void deleteQuietly(String container, BackupPrefix prefix) {
        try {
            for (String name : store.list(container, prefix.value())) {
                try {
                    store.delete(container, name);
                } catch (IOException ignored) {
                    // Best effort; a later delete of the backup row removes leftovers by prefix.
                }
            }
        } catch (IOException ignored) {
            // Nothing listable, nothing to remove.
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Cleanup only.
            }
        }
    }
}
