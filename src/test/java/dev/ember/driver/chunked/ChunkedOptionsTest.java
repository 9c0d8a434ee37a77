package dev.ember.driver.chunked;

import dev.ember.config.Config;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkedOptionsTest {

    @Test
    void defaultsAreCinders() {
        ChunkedOptions o = ChunkedOptions.fromConfig(Config.empty());
        assertEquals(1999994880L, o.chunkSizeBytes());
        assertEquals(32768, o.shaBlockSizeBytes());
        assertEquals("zlib", o.compressionAlgorithm());
        assertEquals(Compression.ZLIB, o.compression());
        // A full backup covers every byte unless asked otherwise: cinder restores it exactly anywhere.
        assertFalse(o.sparseFullBackups());
        assertEquals(Path.of("/var/lib/cinder/backup"), PosixBackupDriver.backupPath(Config.empty()));
    }

    @Test
    void readsCinderOptionNames() {
        Config c = Config.parse("""
                [DEFAULT]
                state_path = /srv/ember
                backup_file_size = 65536
                backup_sha_block_size_bytes = 4096
                backup_compression_algorithm = BZip2
                ember_backup_sparse_full = true
                """);
        ChunkedOptions o = ChunkedOptions.fromConfig(c);
        assertEquals(65536, o.chunkSizeBytes());
        assertEquals(4096, o.shaBlockSizeBytes());
        assertEquals(Compression.BZ2, o.compression());
        assertEquals("bzip2", o.compressionLabel(), "cinder records the configured spelling, lower-cased");
        assertTrue(o.sparseFullBackups());
        assertEquals(Path.of("/srv/ember/backup"), PosixBackupDriver.backupPath(c));
        assertEquals(Path.of("/b"), PosixBackupDriver.backupPath(c.with("DEFAULT", "backup_posix_path", "/b")));
        assertEquals(Path.of("/srv/ember/x"),
                PosixBackupDriver.backupPath(c.with("DEFAULT", "backup_posix_path", "$state_path/x")));
    }

    @Test
    void noneAliasesAreRecordedAsNone() {
        assertEquals("none", ChunkedOptions.defaults().withCompression("off").compressionLabel());
        assertEquals("none", ChunkedOptions.defaults().withCompression("No").compressionLabel());
    }

    @Test
    void badCompressionIsAConfigurationError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkedOptions.fromConfig(Config.parse("[DEFAULT]\nbackup_compression_algorithm = lzma\n")));
        assertTrue(e.getMessage().contains("unsupported compression algorithm: lzma"), e.getMessage());
    }

    @Test
    void nonMultipleChunkSizeIsOnlyRefusedForBackups() {
        // Restores and deletes must keep working with a bad combination, as in cinder.
        ChunkedOptions o = ChunkedOptions.defaults().withChunkSize(10_000, 4096);
        assertEquals(10_000, o.chunkSizeBytes());
    }
}
