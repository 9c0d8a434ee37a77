package dev.ember.driver.chunked;

import dev.ember.config.Config;
import dev.ember.driver.BackupDriverException;

import java.util.Locale;

/**
 * The chunked driver's options, read from {@code [DEFAULT]} under cinder's names so an existing
 * cinder.conf keeps working.
 *
 * @param chunkSizeBytes       {@code backup_file_size}: the largest data object
 * @param shaBlockSizeBytes    {@code backup_sha_block_size_bytes}: unit of change tracking
 * @param compressionAlgorithm {@code backup_compression_algorithm}, lower-cased, as configured:
 *                             cinder records exactly this string (e.g. {@code gzip}) in the
 *                             {@code compression} field of compressed objects
 * @param sparseFullBackups    Ember's {@code ember_backup_sparse_full} (default false): full backups
 *                             leave all-zero SHA blocks out of the data objects; see
 *                             {@link ChunkedBackupDriver} for what that means for cinder
 */
public record ChunkedOptions(
        long chunkSizeBytes,
        int shaBlockSizeBytes,
        String compressionAlgorithm,
        boolean sparseFullBackups) {

    public static final long DEFAULT_CHUNK_SIZE = 61035L * 32768; // 1999994880, cinder posix
    public static final int DEFAULT_SHA_BLOCK_SIZE = 32768;
    public static final String DEFAULT_COMPRESSION = "zlib";

    /**
     * Hash blocks are held in memory whole while they are hashed and compressed, so their size
     * bounds memory use; cinder's default is 32 KiB and nobody has a reason to go near this.
     */
    public static final int MAX_SHA_BLOCK_SIZE = 16 << 20;

    public ChunkedOptions {
        if (chunkSizeBytes <= 0) {
            throw new IllegalArgumentException("backup_file_size must be positive, got " + chunkSizeBytes);
        }
        if (shaBlockSizeBytes <= 0) {
            throw new IllegalArgumentException("backup_sha_block_size_bytes must be positive, got " + shaBlockSizeBytes);
        }
        compressionAlgorithm = compressionAlgorithm.toLowerCase(Locale.ROOT);
        try {
            Compression.parse(compressionAlgorithm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backup_compression_algorithm: " + e.getMessage()
                    + " (choose one of none, off, no, zlib, gzip, bz2, bzip2, zstd)");
        }
    }

    public static ChunkedOptions defaults() {
        return new ChunkedOptions(DEFAULT_CHUNK_SIZE, DEFAULT_SHA_BLOCK_SIZE, DEFAULT_COMPRESSION, false);
    }

    public static ChunkedOptions fromConfig(Config config) {
        return new ChunkedOptions(
                config.getLong("backup_file_size", DEFAULT_CHUNK_SIZE),
                config.getInt("backup_sha_block_size_bytes", DEFAULT_SHA_BLOCK_SIZE),
                config.get("backup_compression_algorithm", DEFAULT_COMPRESSION).strip(),
                // Off by default: cinder's own restore onto a used volume must never keep old data.
                config.getBool("ember_backup_sparse_full", false));
    }

    public Compression compression() {
        return Compression.parse(compressionAlgorithm);
    }

    /** The {@code compression} value cinder writes for an object stored compressed. */
    public String compressionLabel() {
        return compression() == Compression.NONE ? "none" : compressionAlgorithm;
    }

    public ChunkedOptions withChunkSize(long chunk, int shaBlock) {
        return new ChunkedOptions(chunk, shaBlock, compressionAlgorithm, sparseFullBackups);
    }

    public ChunkedOptions withCompression(String algorithm) {
        return new ChunkedOptions(chunkSizeBytes, shaBlockSizeBytes, algorithm, sparseFullBackups);
    }

    public ChunkedOptions withSparseFullBackups(boolean sparse) {
        return new ChunkedOptions(chunkSizeBytes, shaBlockSizeBytes, compressionAlgorithm, sparse);
    }

    /**
     * Checks made when a backup starts rather than at startup, as cinder does, so a bad
     * combination never stops restores or deletes of existing backups.
     */
    void checkUsableForBackup() throws BackupDriverException {
        if (chunkSizeBytes % shaBlockSizeBytes != 0) {
            throw new BackupDriverException("Chunk size is not multiple of block size for creating hash.");
        }
        if (shaBlockSizeBytes > MAX_SHA_BLOCK_SIZE) {
            throw new BackupDriverException("backup_sha_block_size_bytes " + shaBlockSizeBytes
                    + " is larger than Ember supports (" + MAX_SHA_BLOCK_SIZE + " bytes); use a smaller hash block size.");
        }
    }
}
