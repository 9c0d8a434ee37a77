package dev.ember.driver.chunked;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * The compressed bytes of one object, produced as its data arrives in order. Two kinds exist:
 * forms built from pieces compressed in parallel by the segment workers ({@link PieceForm}), and
 * zstd's single frame compressed as a stream ({@link ZstdFrameForm}).
 */
interface CompressedForm extends AutoCloseable {

    /** Bytes that open the object. */
    byte[] start();

    /**
     * The compressed bytes for the next slice of data; {@code piece} is the slice compressed by a
     * worker when the form is piece-based, else null. May return an empty array.
     */
    byte[] next(byte[] data, int off, int len, byte[] piece) throws IOException;

    /**
     * Everything the form still holds back, so that the bytes produced so far measure how well
     * the data compresses (streaming compressors buffer up to a block).
     */
    default byte[] flush() throws IOException {
        return new byte[0];
    }

    /** Bytes that close the object. */
    byte[] end() throws IOException;

    /** Fixes up bytes near the start of the written object once its length is known. */
    default void patch(ObjectWriter writer, long rawLength) throws IOException {
    }

    /** Releases native resources; safe to call more than once and without {@link #end()}. */
    @Override
    void close();

    /** Forms for the objects of a backup, or null when objects are stored uncompressed. */
    static Supplier<CompressedForm> factory(Compression compression, PieceCodec pieces) {
        return switch (compression) {
            case NONE -> null;
            case ZSTD -> ZstdFrameForm::new;
            case ZLIB, BZ2 -> () -> new PieceForm(pieces);
        };
    }
}
