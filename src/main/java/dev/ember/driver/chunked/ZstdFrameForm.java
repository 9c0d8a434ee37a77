package dev.ember.driver.chunked;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * A zstd object as one frame that declares its content size, which is what python-zstd's
 * {@code decompress} needs: it reads the size from the first frame header and, before 1.5.5.1
 * (e.g. Debian bookworm's 1.5.2), cannot read several frames. Independently compressed pieces
 * cannot be merged into one frame (repeat offsets carry over between blocks), so zstd objects are
 * compressed as a stream, level 3 as python-zstd, on the thread assembling the object.
 *
 * <p>The size is only known at the end, so the header zstd writes for a stream of unknown size
 * (magic, descriptor, window descriptor) is widened to carry an 8-byte content size field, written
 * as zeros and patched when the object is complete. The blocks that follow do not depend on the
 * header, so the frame stays valid.
 */
final class ZstdFrameForm implements CompressedForm {

    private static final int LEVEL = 3;
    private static final int MAGIC = 0xFD2FB528;
    /** Magic (4), frame header descriptor (1), window descriptor (1). */
    private static final int STREAM_HEADER = 6;
    /** Frame_Content_Size_flag = 3: an 8-byte content size field follows the window descriptor. */
    private static final int FCS_8_BYTES = 0xC0;

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final ZstdOutputStreamNoFinalizer zstd;
    private byte[] pendingHead = new byte[0];
    private boolean headerDone;
    private boolean closed;

    ZstdFrameForm() {
        try {
            zstd = new ZstdOutputStreamNoFinalizer(sink, LEVEL);
            zstd.setChecksum(false);
        } catch (IOException e) {
            throw new IllegalStateException("zstd compressor could not be created", e);
        }
    }

    @Override
    public byte[] start() {
        return new byte[0];
    }

    @Override
    public byte[] next(byte[] data, int off, int len, byte[] piece) throws IOException {
        zstd.write(data, off, len);
        return drain();
    }

    @Override
    public byte[] flush() throws IOException {
        zstd.flush(); // ends the current block; costs a few bytes once per object
        return drain();
    }

    @Override
    public byte[] end() throws IOException {
        zstd.close();
        closed = true;
        byte[] out = drain();
        if (!headerDone) {
            throw new IOException("zstd produced no frame header");
        }
        return out;
    }

    @Override
    public void patch(ObjectWriter writer, long rawLength) throws IOException {
        byte[] size = new byte[8];
        for (int i = 0; i < 8; i++) {
            size[i] = (byte) (rawLength >>> (8 * i));
        }
        writer.overwrite(STREAM_HEADER, size);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                zstd.close();
            } catch (IOException ignored) {
                // Only native memory to free; the object is being discarded.
            }
        }
    }

    /** What zstd produced since the last call, with the frame header widened on the way out. */
    private byte[] drain() throws IOException {
        byte[] out = sink.toByteArray();
        sink.reset();
        if (headerDone) {
            return out;
        }
        byte[] head = concat(pendingHead, out);
        if (head.length < STREAM_HEADER) {
            pendingHead = head;
            return new byte[0];
        }
        int magic = (head[0] & 0xff) | (head[1] & 0xff) << 8 | (head[2] & 0xff) << 16 | (head[3] & 0xff) << 24;
        int descriptor = head[4] & 0xff;
        // Expected: no content size, not single-segment (so a window descriptor), no dictionary.
        if (magic != MAGIC || (descriptor & 0xE3) != 0) {
            throw new IOException("unexpected zstd frame header " + Integer.toHexString(descriptor));
        }
        byte[] widened = new byte[head.length + 8];
        System.arraycopy(head, 0, widened, 0, STREAM_HEADER);
        widened[4] = (byte) (descriptor | FCS_8_BYTES);
        System.arraycopy(head, STREAM_HEADER, widened, STREAM_HEADER + 8, head.length - STREAM_HEADER);
        headerDone = true;
        pendingHead = null;
        return widened;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
