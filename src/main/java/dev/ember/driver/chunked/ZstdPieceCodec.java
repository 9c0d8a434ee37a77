package dev.ember.driver.chunked;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import java.util.Arrays;

/**
 * zstd at level 3 (python-zstd's default); each piece is a frame that records its content size.
 * python-zstd's {@code decompress} needs that size in the frame header and, from 1.5.5.1 on,
 * sums it over concatenated frames (older python-zstd only restores single-frame objects; see
 * {@link ChunkedBackupDriver} for the trade-off).
 */
final class ZstdPieceCodec extends PieceCodec {

    private static final int LEVEL = 3;

    @Override
    byte[] prologue() {
        return new byte[0];
    }

    @Override
    byte[] compress(byte[] data, int off, int len) {
        byte[] out = new byte[(int) Zstd.compressBound(len)];
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(LEVEL).setContentSize(true).setChecksum(false);
            int n = ctx.compressByteArray(out, 0, out.length, data, off, len);
            return Arrays.copyOf(out, n);
        }
    }

    @Override
    boolean needsAdler32() {
        return false;
    }

    @Override
    byte[] epilogue(long adler32) {
        return new byte[0];
    }

    @Override
    int epilogueLength() {
        return 0;
    }
}
