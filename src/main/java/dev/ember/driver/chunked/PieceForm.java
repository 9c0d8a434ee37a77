package dev.ember.driver.chunked;

import java.util.zip.Adler32;

/** An object assembled from pieces the segment workers compressed in parallel (zlib, bz2). */
final class PieceForm implements CompressedForm {

    private final PieceCodec codec;
    private final Adler32 adler;

    PieceForm(PieceCodec codec) {
        this.codec = codec;
        this.adler = codec.needsAdler32() ? new Adler32() : null;
    }

    @Override
    public byte[] start() {
        return codec.prologue();
    }

    @Override
    public byte[] next(byte[] data, int off, int len, byte[] piece) {
        if (adler != null) {
            adler.update(data, off, len);
        }
        // The scanner skips compressing while the previous object was stored raw; when that
        // guess was wrong for this object, compress here.
        return piece != null ? piece : codec.compress(data, off, len);
    }

    @Override
    public byte[] end() {
        return codec.epilogue(adler == null ? 0 : adler.getValue());
    }

    @Override
    public void close() {
    }
}
