package dev.ember.driver.chunked;

import java.util.List;

/**
 * A stretch of the volume after a worker read and analysed it: the data, one SHA-256 per block,
 * and the runs of blocks that must be stored (each with its compressed form when compression is
 * on). Segments never cross a chunk boundary and always start on a SHA block boundary.
 *
 * @param data   the segment's bytes in {@code [0, length)}; a recycled buffer, possibly longer,
 *               that goes back to the pool once the segment has been consumed
 * @param hashes SHA-256 of each SHA block, in order (the last block may be short)
 */
record ScannedSegment(long offset, byte[] data, int length, List<byte[]> hashes, List<Run> runs) {

    ScannedSegment {
        hashes = List.copyOf(hashes);
        runs = List.copyOf(runs);
    }

    /**
     * Consecutive blocks to store, as a slice {@code [start, start+length)} of {@link #data}.
     *
     * @param compressed the slice compressed as an independent piece, or null when not compressing
     *                   (or when the scanner was told compression is not paying off)
     */
    record Run(int start, int length, boolean allZero, byte[] compressed) {
    }
}
