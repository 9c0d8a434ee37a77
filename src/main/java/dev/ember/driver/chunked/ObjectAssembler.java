package dev.ember.driver.chunked;

import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

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
    private final Supplier<CompressedForm> forms;
    private final String compressedLabel;
    private final int probeBytes;
    private final VolumeDevice source;
    private final List<ObjectEntry> entries = new ArrayList<>();
    private final AtomicBoolean skipCompression;
    private PendingObject current;

    /**
     * @param forms           compressed forms for new objects, null to store objects raw
     * @param skipCompression kept up to date with whether the current object is stored raw,
     *                        for the segment scanners (see {@link SegmentScanner})
     */
    ObjectAssembler(ObjectStore store, String container, BackupPrefix prefix, long chunkSize,
                    Supplier<CompressedForm> forms, String compressedLabel, int probeBytes, VolumeDevice source,
                    AtomicBoolean skipCompression) {
        this.store = store;
        this.container = container;
        this.prefix = prefix;
        this.chunkSize = chunkSize;
        this.forms = forms;
        this.compressedLabel = compressedLabel;
        this.probeBytes = probeBytes;
        this.source = source;
        this.skipCompression = skipCompression;
    }

    void accept(ScannedSegment segment) throws IOException {
        for (ScannedSegment.Run run : segment.runs()) {
            long start = segment.offset() + run.start();
            if (current != null && (current.end() != start || start % chunkSize == 0)) {
                closeCurrent();
            }
            if (current == null) {
                current = new PendingObject(store, container, prefix.objectName(entries.size() + 1), start,
                        forms, compressedLabel, probeBytes);
                skipCompression.set(false); // a new object probes afresh
            }
            current.append(segment.data(), run.start(), run.length(), run.compressed());
            skipCompression.set(current.storedRaw());
        }
    }

    /** Commits the last object; returns every object's entry in order. */
    List<ObjectEntry> finish() throws IOException {
        closeCurrent();
        return List.copyOf(entries);
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
            current = null;
        }
    }
}
