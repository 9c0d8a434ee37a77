package dev.ember.driver.chunked;

/**
 * How much work and memory one backup or restore may have in flight. Memory use is roughly
 * {@code inFlight * segmentBytes * 2} (data plus its compressed form) plus {@code probeBytes},
 * whatever {@code backup_file_size} is, plus the compressors' own state (about 8 MB for each
 * bzip2 compression running at once, as in Python's bz2 at level 9).
 *
 * @param segmentBytes unit of reading, hashing and compressing; rounded down to whole SHA blocks
 *                     (at least one)
 * @param inFlight     segments (backup) or objects (restore) being worked on at once
 * @param probeBytes   how much of an object is compressed before deciding whether compression
 *                     pays off for it (see {@link PendingObject})
 */
public record PipelineLimits(int segmentBytes, int inFlight, int probeBytes) {

    public static final PipelineLimits DEFAULT = new PipelineLimits(1 << 20, 8, 4 << 20);

    public PipelineLimits {
        if (segmentBytes <= 0 || inFlight <= 0 || probeBytes < 0) {
            throw new IllegalArgumentException("pipeline limits must be positive");
        }
    }

    /** Segment size for a given SHA block size: whole blocks, at least one. */
    int segmentFor(int shaBlock) {
        return Math.max(1, segmentBytes / shaBlock) * shaBlock;
    }

    /** Fewer segments in flight when huge SHA blocks make segments bigger than configured. */
    int inFlightFor(int segment) {
        long budget = (long) inFlight * segmentBytes;
        return (int) Math.max(2, Math.min(inFlight, budget / segment));
    }
}
