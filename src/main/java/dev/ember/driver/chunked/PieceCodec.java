package dev.ember.driver.chunked;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compresses one object as a sequence of independently compressed pieces whose concatenation,
 * framed by {@link #prologue()} and {@link #epilogue}, is an ordinary stream for the algorithm.
 * Independence is what lets pieces be compressed on several threads while the object is still
 * being read, without ever holding a whole object (up to {@code backup_file_size}, ~2 GB) in
 * memory. Cinder decompresses an object with one {@code decompress()} call, which accepts these:
 * zlib gets one stream of sync-flushed deflate blocks, bz2 gets concatenated streams. (zstd has
 * no such form that every python-zstd reads, see {@link ZstdFrameForm}.)
 */
abstract class PieceCodec {

    private final Map<Integer, byte[]> zeroPieces = new ConcurrentHashMap<>();

    /** The piece codec of an algorithm that has one, else null. */
    static PieceCodec of(Compression compression) {
        return switch (compression) {
            case ZLIB -> new ZlibPieceCodec();
            case BZ2 -> new Bz2PieceCodec();
            case NONE, ZSTD -> null;
        };
    }

    /** Bytes that start the object. */
    abstract byte[] prologue();

    /** One piece, compressed on its own. Thread-safe. */
    abstract byte[] compress(byte[] data, int off, int len);

    /** Whether {@link #epilogue} needs the Adler-32 of the object's uncompressed data. */
    abstract boolean needsAdler32();

    /** Bytes that end the object. */
    abstract byte[] epilogue(long adler32);

    /**
     * An all-zero piece: pieces carry no state from their neighbours, so the compressed form of
     * {@code len} zeros is always the same and is computed once (lengths are multiples of the SHA
     * block size up to the segment size, so the cache stays tiny).
     */
    final byte[] compressZeros(int len) {
        return zeroPieces.computeIfAbsent(len, n -> compress(new byte[n], 0, n));
    }
}
