package dev.ember.driver.chunked;

import dev.ember.device.VolumeDevice;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Restores one data object: streams it from the store through its decompressor onto the target
 * in bounded pieces, and checks length and MD5 against the metadata. Cinder never checks the MD5;
 * Ember does, so a corrupt object fails the restore with a message naming it instead of being
 * written silently. The MD5 may be of the data (cinder since Liberty) or of the stored, compressed
 * bytes (cinder before Liberty computed it after compressing): either matching is accepted, so
 * those old backups restore as they do with cinder. (The check completes at the end of the object, after its data went to the
 * target: holding objects of up to ~2 GB back is not an option, and the failed restore leaves the
 * volume in error_restoring either way.)
 *
 * <p>All-zero pieces are written with {@link VolumeDevice#zero}, which keeps sparse targets
 * sparse and lets RBD discard.
 */
final class ObjectRestorer {

    private static final int PIECE = 1 << 20;

    private final ObjectStore store;
    private final String container;
    private final VolumeDevice target;

    ObjectRestorer(ObjectStore store, String container, VolumeDevice target) {
        this.store = store;
        this.container = container;
        this.target = target;
    }

    void restore(ObjectEntry object) throws IOException {
        Compression compression;
        try {
            compression = Compression.parse(object.compression());
        } catch (IllegalArgumentException e) {
            throw new CorruptBackupException("Backup object " + object.name() + ": " + e.getMessage());
        }
        MessageDigest md5 = Digests.md5();
        byte[] buf = new byte[(int) Math.max(1, Math.min(PIECE, object.length()))];
        long done = 0;
        StoreStream raw = new StoreStream(new BufferedInputStream(store.open(container, object.name()), 1 << 16));
        InputStream in;
        try {
            in = decompress(compression, raw, object);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
        try (in) {
            while (done < object.length()) {
                int n = readFully(in, raw, buf, (int) Math.min(buf.length, object.length() - done), object);
                if (n == 0) {
                    throw new CorruptBackupException("Backup object " + object.name() + " is corrupt: it holds only "
                            + done + " bytes of data, but the backup metadata records " + object.length() + ".");
                }
                md5.update(buf, 0, n);
                long at = object.offset() + done;
                if (ZeroBlocks.isZero(buf, 0, n)) {
                    target.zero(at, n);
                } else {
                    target.write(at, ByteBuffer.wrap(buf, 0, n));
                }
                done += n;
            }
            if (readFully(in, raw, new byte[1], 1, object) > 0) {
                throw new CorruptBackupException("Backup object " + object.name() + " is corrupt: it holds more than the "
                        + object.length() + " bytes of data the backup metadata records.");
            }
            if (compression != Compression.NONE) {
                // The rest of the stored bytes (a decompressor stops at its stream's end) complete the
                // MD5 of the object as stored, which cinder before Liberty recorded.
                byte[] rest = new byte[1 << 16];
                while (raw.read(rest, 0, rest.length) >= 0) {
                    // counted by raw.stored
                }
            }
        }
        String actual = HexFormat.of().formatHex(md5.digest());
        boolean preLiberty = compression != Compression.NONE
                && HexFormat.of().formatHex(raw.stored.digest()).equalsIgnoreCase(object.md5());
        if (!actual.equalsIgnoreCase(object.md5()) && !preLiberty) {
            throw new CorruptBackupException("Backup object " + object.name() + " is corrupt: the MD5 of its data is "
                    + actual + " but the backup metadata records " + object.md5() + "; restore aborted.");
        }
    }

    private static InputStream decompress(Compression compression, StoreStream raw, ObjectEntry object)
            throws IOException {
        try {
            return compression.decompress(raw);
        } catch (IOException e) {
            throw raw.failure != null ? e : notDecompressible(object, e);
        }
    }

    /**
     * Reads up to {@code len} bytes. An I/O error of the store is passed on as is; anything else
     * the decompressor throws means the object's bytes are not what their algorithm says.
     */
    private static int readFully(InputStream in, StoreStream raw, byte[] buf, int len, ObjectEntry object)
            throws IOException {
        int got = 0;
        try {
            while (got < len) {
                int n = in.read(buf, got, len - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (IOException e) {
            throw raw.failure != null ? e : notDecompressible(object, e);
        }
        return got;
    }

    private static CorruptBackupException notDecompressible(ObjectEntry object, IOException e) {
        return new CorruptBackupException("Backup object " + object.name() + " is corrupt: it cannot be decompressed as "
                + object.compression() + " (" + e.getMessage() + ").");
    }

    /**
     * The store's stream, remembering whether it failed (to tell storage errors from corruption)
     * and the MD5 of the bytes as stored.
     */
    private static final class StoreStream extends FilterInputStream {
        IOException failure;
        final MessageDigest stored = Digests.md5();

        StoreStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b >= 0) {
                    stored.update((byte) b);
                }
                return b;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n > 0) {
                    stored.update(b, off, n);
                }
                return n;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            // Through read, so skipped bytes still count in the stored MD5.
            byte[] b = new byte[(int) Math.min(n, 1 << 16)];
            int got = read(b, 0, b.length);
            return Math.max(got, 0);
        }
    }
}
