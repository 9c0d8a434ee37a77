package dev.ember.driver.chunked;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ember.driver.BackupRef;
import dev.ember.testing.GoldenData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Golden backups written by Debian's real cinder-backup (posix driver, cinder 21.3.1 "Zed"; see
 * src/test/resources/golden/README.md): every chain member restores with Ember to the bytes cinder
 * backed up, an Ember incremental chains onto cinder's chain (reading cinder's sha256file), and
 * Ember deletes cinder's objects.
 */
class CinderInteropTest {

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

    /** Copies cinder's backup tree (as it wrote it) into the fixture's backup root. */
    private void copyGolden(GoldenData g) throws IOException {
        Path from = g.dir.resolve("backup");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path to = fx.root.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
    }

    private static ChunkedOptions optionsOf(GoldenData g, String algorithm) {
        return DriverFixture.options(g.expected.get("backup_file_size").asLong(),
                g.expected.get("backup_sha_block_size_bytes").asInt(), algorithm);
    }

    /** Compares restored bytes with the regenerated expected content and its recorded SHA-256. */
    private static void assertContent(GoldenData g, int steps, String sha, byte[] actual, String what) {
        byte[] expected = g.content(steps, 0, actual.length);
        long diff = GoldenData.firstDifference(expected, actual);
        if (diff >= 0) {
            fail(what + ": restored bytes differ from the expected volume content first at offset " + diff);
        }
        if (sha != null) {
            assertEquals(sha, GoldenData.hex(GoldenData.sha256(actual)), what + ": SHA-256 of the restored volume");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "bz2", "none"})
    void cinderWrittenChainsRestore(String algorithm) throws Exception {
        GoldenData g = GoldenData.load("posix/" + algorithm);
        copyGolden(g);
        ChunkedBackupDriver driver = fx.driver(optionsOf(g, algorithm));
        int size = g.expected.get("volume_data_bytes").asInt();
        assertEquals(3, g.count());
        for (int i = 0; i < g.count(); i++) {
            JsonNode e = g.backup(i);
            List<BackupRef> chain = g.chain(i);
            assertEquals(i + 1, chain.size(), "chain of " + e.get("name"));
            // the expected data itself is what cinder read (checked by the generator too)
            assertEquals(e.get("volume_sha256").asText(),
                    GoldenData.hex(GoldenData.sha256(g.content(e.get("plan_steps").asInt(), 0, size))));
            // Ember reads cinder's _metadata: as many objects as cinder's row counts
            BackupMetadataFile meta = fx.metadata(chain.get(i));
            assertEquals(g.row(i).get("object_count").asInt(), meta.objects().size(), "objects of " + e.get("name"));
            assertEquals(g.row(i).get("parent_id").isNull() ? null : g.row(i).get("parent_id").asText(),
                    meta.parentId());
            byte[] restored = fx.restore(driver, chain, size);
            assertContent(g, e.get("plan_steps").asInt(), e.get("volume_sha256").asText(), restored,
                    algorithm + " " + e.get("name").asText());
        }
        if (!algorithm.equals("none")) {
            // the golden set really holds compressed objects (not only "none" ones)
            assertTrue(fx.metadata(g.ref(0)).objects().stream().anyMatch(o -> o.compression().equals(algorithm)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "bz2", "none"})
    void cinderWrittenChainsRestoreOntoADirtyVolume(String algorithm) throws Exception {
        // Every byte of the target comes from cinder's objects (its full backup covers the volume).
        GoldenData g = GoldenData.load("posix/" + algorithm);
        copyGolden(g);
        ChunkedBackupDriver driver = fx.driver(optionsOf(g, algorithm));
        int size = g.expected.get("volume_data_bytes").asInt();
        for (int i = 0; i < g.count(); i++) {
            Path target = fx.volume(GoldenData.pattern("random", 99, size));
            fx.restoreOnto(driver, g.chain(i), target);
            assertContent(g, g.backup(i).get("plan_steps").asInt(), g.backup(i).get("volume_sha256").asText(),
                    Files.readAllBytes(target), algorithm + " " + g.backup(i).get("name").asText() + " onto a dirty volume");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "bz2", "none"})
    void emberIncrementalChainsOntoCinderChainAndEmberDeletesCinderObjects(String algorithm) throws Exception {
        GoldenData g = GoldenData.load("posix/" + algorithm);
        copyGolden(g);
        ChunkedBackupDriver driver = fx.driver(optionsOf(g, algorithm));
        int size = g.expected.get("volume_data_bytes").asInt();
        BackupRef top = g.ref(2);

        // The volume as cinder last backed it up, plus two new writes: one inside a SHA block
        // (100 bytes at 64 KiB + 10), one spanning two blocks (6 KiB at 333 KiB + 500).
        byte[] v = g.content(3, 0, size);
        byte[] w1 = GoldenData.pattern("random", 77, 100);
        byte[] w2 = GoldenData.pattern("text", 78, 6 * 1024);
        System.arraycopy(w1, 0, v, 64 * 1024 + 10, w1.length);
        System.arraycopy(w2, 0, v, 333 * 1024 + 500, w2.length);
        BackupRef ref = new BackupRef(java.util.UUID.randomUUID().toString(), g.volumeId(), 1, null, null,
                "ember-on-cinder", "", DriverFixture.CREATED, top.id());
        BackupRef ember = fx.backup(driver, ref, top, fx.volume(v));

        // Only the changed SHA blocks are written: [64 KiB, 68 KiB) and [332 KiB, 340 KiB).
        List<Long> offsets = fx.metadata(ember).objects().stream().map(ObjectEntry::offset).toList();
        List<Long> lengths = fx.metadata(ember).objects().stream().map(ObjectEntry::length).toList();
        assertEquals(List.of(64L * 1024, 332L * 1024), offsets);
        assertEquals(List.of(4L * 1024, 8L * 1024), lengths);

        List<BackupRef> chain = new ArrayList<>(g.chain(2));
        chain.add(ember);
        byte[] restored = fx.restore(driver, chain, size);
        long diff = GoldenData.firstDifference(v, restored);
        assertEquals(-1, diff, "Ember incremental on cinder's chain: first differing byte");

        // Ember deletes cinder's backups (top first): every object cinder wrote goes.
        driver.delete(ember);
        for (int i = 2; i >= 0; i--) {
            BackupRef b = g.ref(i);
            Path container = fx.containerDir(b);
            try (Stream<Path> files = Files.list(container)) {
                assertFalse(files.toList().isEmpty());
            }
            driver.delete(b);
            try (Stream<Path> files = Files.list(container)) {
                assertEquals(List.of(), files.toList(), "left in " + b.container());
            }
        }
    }
}
