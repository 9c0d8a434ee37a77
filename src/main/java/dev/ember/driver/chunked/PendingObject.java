package dev.ember.driver.chunked;

import dev.ember.device.VolumeDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * One data object while it is being written: data arrives in order and goes to the store as it
 * comes, never held whole in memory.
 *
 * <p>Cinder stores an object compressed only if that makes it smaller. Streaming means the final
 * sizes are unknown until the end, so the first {@code probeBytes} of the object are held back
 * (raw and compressed) and decide: if compression does not pay there, the object is stored raw
 * from the start (and compressing it stops). If it paid at first but the finished object still
 * came out no smaller, the object is rewritten raw by reading its range from the volume again
 * (rare: it needs data that compresses at the start and not after). Either way an object is
 * stored compressed only when that is smaller, as in cinder.
 */
final class PendingObject {

    private enum Mode { PROBING, COMPRESSED, RAW }

    private record Slice(byte[] data, byte[] compressed) {
    }

    private static final int REREAD_BYTES = 1 << 20;

    private final ObjectStore store;
    private final String container;
    private final String name;
    private final long offset;
    private final String compressedLabel;
    private final int probeBytes;
    private final MessageDigest md5 = Digests.md5();
    private final List<Slice> probe = new ArrayList<>();
    private final CompressedForm form;
    private Mode mode;
    private long rawLength;
    private long compressedLength;
    private ObjectWriter writer;

    /**
     * @param forms           makes the object's compressed form; null to store raw
     * @param compressedLabel the {@code compression} value recorded when stored compressed
     */
    PendingObject(ObjectStore store, String container, String name, long offset, Supplier<CompressedForm> forms,
                  String compressedLabel, int probeBytes) {
        this.store = store;
        this.container = container;
        this.name = name;
        this.offset = offset;
        this.compressedLabel = compressedLabel;
        this.probeBytes = probeBytes;
        this.form = forms == null ? null : forms.get();
        this.mode = form == null ? Mode.RAW : Mode.PROBING;
        if (form != null) {
            compressedLength = form.start().length;
        }
    }

    long end() {
        return offset + rawLength;
    }

    /** Whether the object goes to the store uncompressed (so compressing its data is wasted). */
    boolean storedRaw() {
        return mode == Mode.RAW;
    }

    /**
     * Appends {@code data[off, off+len)}; {@code piece} is its worker-compressed form for
     * piece-based compression, else null. Keeps no reference to {@code data} after returning.
     */
    void append(byte[] data, int off, int len, byte[] piece) throws IOException {
        md5.update(data, off, len);
        rawLength += len;
        switch (mode) {
            case PROBING -> {
                byte[] compressed = form.next(data, off, len, piece);
                compressedLength += compressed.length;
                // A copy: the segment's buffer is reused as soon as this call returns.
                probe.add(new Slice(Arrays.copyOfRange(data, off, off + len), compressed));
                if (rawLength >= probeBytes) {
                    byte[] held = form.flush();
                    compressedLength += held.length;
                    probe.add(new Slice(new byte[0], held));
                    decide();
                }
            }
            case COMPRESSED -> {
                byte[] compressed = form.next(data, off, len, piece);
                compressedLength += compressed.length;
                writer.write(compressed);
            }
            case RAW -> writer().write(data, off, len);
        }
    }

    private void decide() throws IOException {
        if (compressedLength < rawLength) {
            mode = Mode.COMPRESSED;
            writer().write(form.start());
            for (Slice s : probe) {
                writer.write(s.compressed());
            }
        } else {
            mode = Mode.RAW;
            form.close();
            for (Slice s : probe) {
                writer().write(s.data());
            }
        }
        probe.clear();
    }

    /** Commits the object and returns its metadata entry. */
    ObjectEntry finish(VolumeDevice source) throws IOException {
        if (mode == Mode.PROBING) {
            byte[] tail = form.end(); // the whole object is in the probe: decide on final sizes
            compressedLength += tail.length;
            decide();
            if (mode == Mode.COMPRESSED) {
                writer.write(tail);
            }
        } else if (mode == Mode.COMPRESSED) {
            writer.write(form.end());
        }
        String digest = HexFormat.of().formatHex(md5.digest());
        String label = "none";
        if (mode == Mode.COMPRESSED) {
            if (writer.bytesWritten() >= rawLength) {
                rewriteRaw(source, digest);
            } else {
                form.patch(writer, rawLength);
                label = compressedLabel;
            }
        }
        writer().commit();
        close();
        return new ObjectEntry(name, offset, rawLength, label, digest);
    }

    /** Discards whatever was written. */
    void abort() {
        close();
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // The backup is failing already; the caller also deletes by prefix.
            }
        }
    }

    private void close() {
        if (form != null) {
            form.close();
        }
    }

    private void rewriteRaw(VolumeDevice source, String expectedMd5) throws IOException {
        writer.close();
        writer = store.create(container, name);
        MessageDigest check = Digests.md5();
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
