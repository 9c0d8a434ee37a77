package dev.ember.driver.chunked;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * bzip2 at level 9 (Python's {@code bz2.compress} default); each piece is a complete bzip2
 * stream. bzip2 works on independent 900 kB blocks anyway, so pieces of a MiB or more lose
 * almost nothing, and Python's {@code bz2.decompress} reads concatenated streams.
 */
final class Bz2PieceCodec extends PieceCodec {

    private static final int LEVEL = 9;

    @Override
    byte[] prologue() {
        return new byte[0];
    }

    @Override
    byte[] compress(byte[] data, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len / 2 + 64);
        try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(out, LEVEL)) {
            bz.write(data, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException("bzip2 compression failed", e); // in-memory: cannot happen
        }
        return out.toByteArray();
    }

    @Override
    boolean needsAdler32() {
        return false;
    }

    @Override
    byte[] epilogue(long adler32) {
        return new byte[0];
    }

}
