package dev.ember.driver.chunked;

import dev.ember.driver.VolumeDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Adler32;

/**
 * One data object while it is being written: data arrives in order, already split into
 * independently compressed pieces, and goes to the store as it comes.
 *
 * <p>Cinder stores an object compressed only if that makes it smaller. Streaming means the
 * final sizes are unknown until the end, so the first {@code probeBytes} of the object are held
 * back (raw and compressed) and decide: if compression does not pay there, the object is stored
 * raw from the start and no later piece is ever compressed data on disk. If it paid at first but
 * the finished object still came out no smaller, the object is rewritten raw by reading its range
 * from the volume again (rare: it needs data that compresses at the start and not after). Either
 * way the stored object is compressed only when that is smaller, as in cinder.
 */
final class PendingObject {

    private enum Mode { PROBING, COMPRESSED, RAW }

    private record Slice(byte[] data, int off, int len, byte[] compressed) {
    }

    private static final int REREAD_BYTES = 1 << 20;

    private final ObjectStore store;
    private final String container;
    private final String name;
    private final long offset;
    private final PieceCodec codec;
    private final String compressedLabel;
    private final int probeBytes;
    private final MessageDigest md5 = ZeroBlocks.newDigest("MD5");
    private final Adler32 adler;
    private final List<Slice> probe = new ArrayList<>();
    private Mode mode;
    private long rawLength;
    private long compressedLength;
    private ObjectWriter writer;

    /**
     * @param codec           null to store raw
     * @param compressedLabel the {@code compression} value recorded when stored compressed
     */
    PendingObject(ObjectStore store, String container, String name, long offset, PieceCodec codec,
                  String compressedLabel, int probeBytes) {
        this.store = store;
        this.container = container;
        this.name = name;
        this.offset = offset;
        this.codec = codec;
        this.compressedLabel = compressedLabel;
        this.probeBytes = probeBytes;
        this.adler = codec != null && codec.needsAdler32() ? new Adler32() : null;
        this.mode = codec == null ? Mode.RAW : Mode.PROBING;
    }

    long end() {
        return offset + rawLength;
    }

    /** Appends {@code data[off, off+len)}; {@code compressed} is its piece (null when raw). */
    void append(byte[] data, int off, int len, byte[] compressed) throws IOException {
        md5.update(data, off, len);
        if (adler != null) {
            adler.update(data, off, len);
        }
        rawLength += len;
        switch (mode) {
            case PROBING -> {
                probe.add(new Slice(data, off, len, compressed));
                compressedLength += compressed.length;
                if (rawLength >= probeBytes) {
                    decide();
                }
            }
            case COMPRESSED -> {
                writer.write(compressed);
                compressedLength += compressed.length;
            }
            case RAW -> writer().write(data, off, len);
        }
    }

    private void decide() throws IOException {
        if (framedCompressedLength() < rawLength) {
            mode = Mode.COMPRESSED;
            writer().write(codec.prologue());
            for (Slice s : probe) {
                writer.write(s.compressed());
            }
        } else {
            mode = Mode.RAW;
            for (Slice s : probe) {
                writer().write(s.data(), s.off(), s.len());
            }
        }
        probe.clear();
    }

    private long framedCompressedLength() {
        return codec.prologue().length + compressedLength + codec.epilogueLength();
    }

    /** Commits the object and returns its metadata entry. */
    ObjectEntry finish(VolumeDevice source) throws IOException {
        if (mode == Mode.PROBING) {
            decide();
        }
        String digest = HexFormat.of().formatHex(md5.digest());
        String label = "none";
        if (mode == Mode.COMPRESSED) {
            writer.write(codec.epilogue(adler == null ? 0 : adler.getValue()));
            if (writer.bytesWritten() >= rawLength) {
                rewriteRaw(source, digest);
            } else {
                label = compressedLabel;
            }
        }
        writer().commit();
        return new ObjectEntry(name, offset, rawLength, label, digest);
    }

    /** Bytes this object occupies in the store (valid after {@link #finish}). */
    long storedBytes() {
        return writer == null ? 0 : writer.bytesWritten();
    }

    /** Discards whatever was written. */
    void abort() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // The backup is failing already; the caller also deletes by prefix.
            }
        }
    }

    private void rewriteRaw(VolumeDevice source, String expectedMd5) throws IOException {
        writer.close();
        writer = store.create(container, name);
        MessageDigest check = ZeroBlocks.newDigest("MD5");
        byte[] buf = new byte[(int) Math.min(REREAD_BYTES, rawLength)];
        for (long done = 0; done < rawLength; ) {
            int want = (int) Math.min(buf.length, rawLength - done);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, want);
            while (bb.hasRemaining()) {
                if (source.read(offset + done + bb.position(), bb) <= 0) {
                    throw new IOException("the volume ended while re-reading object " + name);
                }
            }
            check.update(buf, 0, want);
            writer.write(buf, 0, want);
            done += want;
        }
        if (!Arrays.equals(HexFormat.of().parseHex(expectedMd5), check.digest())) {
            throw new IOException("the volume changed while it was being backed up (object " + name
                    + " read differently twice); back up from a snapshot or a detached volume");
        }
    }

    private ObjectWriter writer() throws IOException {
        if (writer == null) {
            writer = store.create(container, name);
        }
        return writer;
    }
}
