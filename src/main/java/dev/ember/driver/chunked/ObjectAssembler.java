package dev.ember.driver.chunked;

import dev.ember.driver.VolumeDevice;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the stored runs of scanned segments, arriving in volume order, into data objects the way
 * cinder does: an object is a contiguous stretch of stored blocks that never crosses a
 * {@code backup_file_size} boundary. Objects are numbered in order from 1.
 */
final class ObjectAssembler {

    private final ObjectStore store;
    private final String container;
    private final BackupPrefix prefix;
    private final long chunkSize;
    private final PieceCodec codec;
    private final String compressedLabel;
    private final int probeBytes;
    private final VolumeDevice source;
    private final List<ObjectEntry> entries = new ArrayList<>();
    private PendingObject current;
    private long storedBytes;

    ObjectAssembler(ObjectStore store, String container, BackupPrefix prefix, long chunkSize, PieceCodec codec,
                    String compressedLabel, int probeBytes, VolumeDevice source) {
        this.store = store;
        this.container = container;
        this.prefix = prefix;
        this.chunkSize = chunkSize;
        this.codec = codec;
        this.compressedLabel = compressedLabel;
        this.probeBytes = probeBytes;
        this.source = source;
    }

    void accept(ScannedSegment segment) throws IOException {
        for (ScannedSegment.Run run : segment.runs()) {
            long start = segment.offset() + run.start();
            if (current != null && (current.end() != start || start % chunkSize == 0)) {
                closeCurrent();
            }
            if (current == null) {
                current = new PendingObject(store, container, prefix.objectName(entries.size() + 1), start,
                        codec, compressedLabel, probeBytes);
            }
            current.append(segment.data(), run.start(), run.length(), run.compressed());
        }
    }

    /** Commits the last object; returns every object's entry in order. */
    List<ObjectEntry> finish() throws IOException {
        closeCurrent();
        return List.copyOf(entries);
    }

    /** Bytes written to the store for data objects so far. */
    long storedBytes() {
        return storedBytes;
    }

    void abort() {
        if (current != null) {
            current.abort();
            current = null;
        }
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            entries.add(current.finish(source));
            storedBytes += current.storedBytes();
            current = null;
        }
    }
}
