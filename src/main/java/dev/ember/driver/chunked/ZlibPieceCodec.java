package dev.ember.driver.chunked;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

/**
 * zlib (RFC 1950) as Python's {@code zlib.compress} writes it at its default level 6: header
 * {@code 78 9C}, deflate data, Adler-32 trailer. Each piece is raw deflate ended by a sync flush
 * (byte aligned, no final bit); the object ends with an empty final block and the trailer, so the
 * whole object is one valid zlib stream.
 */
final class ZlibPieceCodec extends PieceCodec {

    private static final int LEVEL = 6;
    private static final byte[] HEADER = {0x78, (byte) 0x9C};
    /** An empty fixed-Huffman block with BFINAL set: what zlib emits for Z_FINISH after a flush. */
    private static final byte[] FINAL_EMPTY_BLOCK = {0x03, 0x00};

    @Override
    byte[] prologue() {
        return HEADER.clone();
    }

    @Override
    byte[] compress(byte[] data, int off, int len) {
        Deflater deflater = new Deflater(LEVEL, true);
        try {
            deflater.setInput(data, off, len);
            ByteArrayOutputStream out = new ByteArrayOutputStream(len / 2 + 64);
            byte[] buf = new byte[64 * 1024];
            while (true) {
                int n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
                if (n < buf.length) {
                    return out.toByteArray();
                }
            }
        } finally {
            deflater.end();
        }
    }

    @Override
    boolean needsAdler32() {
        return true;
    }

    @Override
    byte[] epilogue(long adler32) {
        return new byte[] {
            FINAL_EMPTY_BLOCK[0], FINAL_EMPTY_BLOCK[1],
            (byte) (adler32 >>> 24), (byte) (adler32 >>> 16), (byte) (adler32 >>> 8), (byte) adler32
        };
    }

}
