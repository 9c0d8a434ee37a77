package dev.ember.driver.chunked;

import dev.ember.driver.BackupRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static dev.ember.driver.chunked.DriverFixture.compressible;
import static dev.ember.driver.chunked.DriverFixture.options;
import static dev.ember.driver.chunked.DriverFixture.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Backups laid out the way cinder's chunked driver writes them (one compress() call per whole
 * object, every chunk of a full backup stored, zeros included) restore with Ember, and Ember
 * incrementals chain onto them.
 */
class CinderInteropTest {

    private static final int KIB = 1024;
    private static final long CHUNK = 64 * KIB;
    private static final int SHA = 4 * KIB;

    @TempDir
    Path dir;
    DriverFixture fx;

    @BeforeEach
    void setUp() {
        fx = new DriverFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** Writes a backup as cinder's ChunkedBackupDriver.backup() would; returns the stored ref. */
    private BackupRef cinderBackup(ObjectStore store, BackupRef ref, byte[] data, List<String> parentShas,
                                   String algorithm) throws Exception {
        String container = ContainerNaming.POSIX.containerFor(ref);
        store.createContainer(container);
        BackupPrefix prefix = BackupPrefix.forBackup(ref);
        Compression c = Compression.parse(algorithm);
        List<ObjectEntry> objects = new ArrayList<>();
        List<String> shas = new ArrayList<>();
        int shaIndex = 0;
        for (int off = 0; off < data.length; off += (int) CHUNK) {
            byte[] chunk = Arrays.copyOfRange(data, off, (int) Math.min(data.length, off + CHUNK));
            List<String> chunkShas = new ArrayList<>();
            for (int b = 0; b < chunk.length; b += SHA) {
                chunkShas.add(hex("SHA-256", Arrays.copyOfRange(chunk, b, Math.min(chunk.length, b + SHA))));
            }
            shas.addAll(chunkShas);
            if (parentShas == null) {
                objects.add(put(store, container, prefix, objects.size() + 1, off, chunk, c, algorithm));
                continue;
            }
            int extent = -1;
            for (int i = 0; i <= chunkShas.size(); i++, shaIndex++) {
                boolean changed = i < chunkShas.size() && !chunkShas.get(i).equals(parentShas.get(shaIndex));
                if (changed && extent < 0) {
                    extent = i * SHA;
                } else if (!changed && extent >= 0) {
                    int end = Math.min(chunk.length, i * SHA);
                    objects.add(put(store, container, prefix, objects.size() + 1, off + extent,
                            Arrays.copyOfRange(chunk, extent, end), c, algorithm));
                    extent = -1;
                }
            }
            shaIndex--; // the loop's extra step past the last block
        }
        BackupHeader header = BackupHeader.of(ref);
        var shaDoc = header.toMap();
        shaDoc.put("chunk_size", SHA);
        shaDoc.put("sha256s", shas);
        write(store, container, prefix.shaFileName(), PyJson.dumps(shaDoc).getBytes(StandardCharsets.UTF_8));
        write(store, container, prefix.metadataName(),
                new BackupMetadataFile(header, ref.parentId(), objects, null).toJson().getBytes(StandardCharsets.UTF_8));
        lastShas = shas;
        return ref.withStored(container, prefix.value());
    }

    private List<String> lastShas;

    private static ObjectEntry put(ObjectStore store, String container, BackupPrefix prefix, int n, long offset,
                                   byte[] data, Compression c, String algorithm) throws Exception {
        byte[] compressed = CompressionTest.cinderCompress(c, data);
        boolean useIt = c != Compression.NONE && compressed.length < data.length;
        write(store, container, prefix.objectName(n), useIt ? compressed : data);
        return new ObjectEntry(prefix.objectName(n), offset, data.length, useIt ? algorithm : "none", hex("MD5", data));
    }

    private static void write(ObjectStore store, String container, String name, byte[] bytes) throws Exception {
        try (ObjectWriter w = store.create(container, name)) {
            w.write(bytes);
            w.commit();
        }
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    private static byte[] volume() {
        byte[] v = new byte[300 * KIB + 4 * KIB];
        System.arraycopy(compressible(100 * KIB, 1), 0, v, 0, 100 * KIB);
        System.arraycopy(random(50 * KIB, 2), 0, v, 180 * KIB, 50 * KIB);
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "gzip", "bz2", "zstd", "none"})
    void cinderChainsRestoreAndEmberIncrementalsChainOntoThem(String algorithm) throws Exception {
        ChunkedBackupDriver driver = fx.driver(options(CHUNK, SHA, algorithm));
        byte[] v0 = volume();
        BackupRef full = cinderBackup(driver.store(), fx.ref(null), v0, null, algorithm);
        List<String> fullShas = lastShas;
        assertArrayEquals(v0, fx.restore(driver, List.of(full), v0.length));

        // A cinder incremental on top of the cinder full.
        byte[] v1 = v0.clone();
        Arrays.fill(v1, 10 * KIB, 30 * KIB, (byte) 0);
        v1[200 * KIB] ^= 1;
        BackupRef inc1 = cinderBackup(driver.store(), fx.ref(full.id()), v1, fullShas, algorithm);
        assertEquals(2, fx.metadata(inc1).objects().size());
        assertArrayEquals(v1, fx.restore(driver, List.of(full, inc1), v1.length));

        // An Ember incremental on top of the cinder chain, reading cinder's sha256file.
        byte[] v2 = v1.clone();
        System.arraycopy(random(8 * KIB, 3), 0, v2, 120 * KIB, 8 * KIB);
        BackupRef inc2 = fx.backup(driver, fx.ref(inc1.id()), inc1, fx.volume(v2));
        assertEquals(List.of(120L * KIB), fx.metadata(inc2).objects().stream().map(ObjectEntry::offset).toList());
        assertArrayEquals(v2, fx.restore(driver, List.of(full, inc1, inc2), v2.length));
    }
}
