package dev.ember.driver.chunked;

import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The compression algorithms of cinder's chunked driver, under cinder's names and aliases
 * ({@code backup_compression_algorithm}; the {@code compression} field of each object in
 * {@code _metadata}). Python's {@code zlib} module writes the zlib format (RFC 1950), not gzip,
 * even when the option says {@code gzip}.
 */
public enum Compression {
    NONE,
    ZLIB,
    BZ2,
    ZSTD;

    /**
     * Resolves a configured or recorded name the way cinder's {@code _get_compressor} does:
     * case-insensitive, {@code off}/{@code no} = none, {@code gzip} = zlib, {@code bzip2} = bz2.
     */
    public static Compression parse(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "none", "off", "no" -> NONE;
            case "zlib", "gzip" -> ZLIB;
            case "bz2", "bzip2" -> BZ2;
            case "zstd" -> ZSTD;
            default -> throw new IllegalArgumentException("unsupported compression algorithm: " + name);
        };
    }

    /** Wraps a stored object's bytes in a stream of the original data. */
    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case ZLIB -> new OwnedInflaterStream(in);
            // Python's bz2.decompress reads concatenated streams; so must we.
            case BZ2 -> new BZip2CompressorInputStream(in, true);
            case ZSTD -> new ZstdInputStream(in);
        };
    }

    /** InflaterInputStream does not release an Inflater it was given; this one does. */
    private static final class OwnedInflaterStream extends InflaterInputStream {
        OwnedInflaterStream(InputStream in) {
            super(in, new Inflater(), 64 * 1024);
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                inf.end();
            }
        }
    }
}
