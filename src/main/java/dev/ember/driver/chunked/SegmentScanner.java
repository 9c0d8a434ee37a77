package dev.ember.driver.chunked;

import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The per-segment work of a backup, run on the worker pool: read, find zero blocks, hash the
 * rest, decide which blocks to store, compress them. Zero blocks are recognised before any
 * hashing or compressing and cost a memory scan only.
 */
final class SegmentScanner {

    private final VolumeDevice source;
    private final int shaBlock;
    private final PieceCodec codec;
    private final boolean skipZeroBlocks;
    private final SegmentBuffers buffers;
    private final AtomicBoolean skipCompression;

    /**
     * @param codec          null to store data uncompressed
     * @param skipZeroBlocks in a full backup, leave all-zero blocks out of the data objects
     */
    /**
     * @param skipCompression set while the object being assembled is stored raw: compressing its
     *                        later pieces would be wasted work. Only a hint (segments are scanned
     *                        ahead of assembly); a piece missing where one is needed is compressed
     *                        by {@link PieceForm}.
     */
    SegmentScanner(VolumeDevice source, int shaBlock, PieceCodec codec, boolean skipZeroBlocks,
                   SegmentBuffers buffers, AtomicBoolean skipCompression) {
        this.source = source;
        this.shaBlock = shaBlock;
        this.codec = codec;
        this.skipZeroBlocks = skipZeroBlocks;
        this.buffers = buffers;
        this.skipCompression = skipCompression;
    }

    /**
     * @param parentHashes for an incremental backup, the parent's hash of each block of this
     *                     segment (null entries where the parent had none); null for a full backup
     */
    ScannedSegment scan(long offset, int length, List<byte[]> parentHashes) throws IOException {
        byte[] data = buffers.take();
        readFully(offset, data, length);
        MessageDigest sha = Digests.sha256();
        List<byte[]> hashes = new ArrayList<>();
        List<ScannedSegment.Run> runs = new ArrayList<>();
        int runStart = -1;
        boolean runAllZero = true;
        for (int pos = 0, i = 0; pos < length; pos += shaBlock, i++) {
            int len = Math.min(shaBlock, length - pos);
            boolean zero = ZeroBlocks.isZero(data, pos, len);
            byte[] hash;
            if (zero) {
                hash = ZeroBlocks.sha256(len);
            } else {
                sha.update(data, pos, len);
                hash = sha.digest();
            }
            hashes.add(hash);
            boolean store = parentHashes != null
                    ? !Arrays.equals(hash, parentHashes.get(i))
                    : !(zero && skipZeroBlocks);
            if (store) {
                if (runStart < 0) {
                    runStart = pos;
                    runAllZero = true;
                }
                runAllZero &= zero;
            } else if (runStart >= 0) {
                runs.add(run(data, runStart, pos - runStart, runAllZero));
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            runs.add(run(data, runStart, length - runStart, runAllZero));
        }
        return new ScannedSegment(offset, data, length, hashes, runs);
    }

    private ScannedSegment.Run run(byte[] data, int start, int len, boolean allZero) {
        byte[] compressed = null;
        if (codec != null && !skipCompression.get()) {
            compressed = allZero ? codec.compressZeros(len) : codec.compress(data, start, len);
        }
        return new ScannedSegment.Run(start, len, allZero, compressed);
    }

    private void readFully(long offset, byte[] data, int length) throws IOException {
        int filled = 0;
        while (filled < length) {
            int n = source.read(offset + filled, ByteBuffer.wrap(data, filled, length - filled));
            if (n <= 0) {
                throw new IOException("the volume ended at byte " + (offset + filled)
                        + ", before the size it reported when the backup started");
            }
            filled += n;
        }
    }
}
