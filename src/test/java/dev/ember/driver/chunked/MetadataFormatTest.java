package dev.ember.driver.chunked;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ember.driver.BackupRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.ember.driver.chunked.DriverFixture.options;
import static dev.ember.driver.chunked.DriverFixture.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-disk JSON, checked against what Python's json.dumps(sort_keys=True, indent=2) prints. */
class MetadataFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Test
    void pyJsonMatchesPythonByteForByte() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", "1.0.0");
        m.put("backup_id", "b1");
        m.put("volume_id", "v1");
        m.put("backup_name", "na\u00efve \"q\" \\ \u0001\u007f \uD83D\uDE00");
        m.put("backup_description", null);
        m.put("created_at", "2026-11-23 12:16:50+00:00");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("offset", 0L);
        fields.put("length", 4096L);
        fields.put("compression", "zlib");
        fields.put("md5", "abc");
        m.put("objects", List.of(Map.of("volume_v1_20261123121650_backup_b1-00001", fields)));
        m.put("parent_id", null);
        m.put("volume_meta", null);
        m.put("empty", List.of());
        m.put("emptyd", Map.of());
        m.put("B", true);
        // Output of CPython 3.11 for the same dict.
        String python = """
                {
                  "B": true,
                  "backup_description": null,
                  "backup_id": "b1",
                  "backup_name": "na\\u00efve \\"q\\" \\\\ \\u0001\\u007f \\ud83d\\ude00",
                  "created_at": "2026-11-23 12:16:50+00:00",
                  "empty": [],
                  "emptyd": {},
                  "objects": [
                    {
                      "volume_v1_20261123121650_backup_b1-00001": {
                        "compression": "zlib",
                        "length": 4096,
                        "md5": "abc",
                        "offset": 0
                      }
                    }
                  ],
                  "parent_id": null,
                  "version": "1.0.0",
                  "volume_id": "v1",
                  "volume_meta": null
                }""";
        assertEquals(python, dev.ember.driver.PyJson.dumpsSortedIndented(m));
    }

    @Test
    void createdAtIsPythonStrOfAnAwareUtcDatetime() {
        assertEquals("2026-11-23 12:16:50+00:00", BackupHeader.pythonStr(LocalDateTime.of(2026, 11, 23, 12, 16, 50)));
        assertEquals("2026-11-23 12:16:50.001234+00:00",
                BackupHeader.pythonStr(LocalDateTime.of(2026, 11, 23, 12, 16, 50, 1_234_567)));
    }

    @Test
    void shaFileStreamsExactlyWhatPythonPrints() throws Exception {
        MemoryObjectStore store = new MemoryObjectStore();
        store.createContainer("c");
        BackupHeader header = new BackupHeader("1.0.0", "b1", "v1", null, "d", "x");
        ShaFileWriter w = new ShaFileWriter(store.create("c", "two"), header, 32768);
        w.add(HexFormat.of().parseHex("aa".repeat(32)));
        w.add(HexFormat.of().parseHex("bb".repeat(32)));
        w.commit();
        assertEquals("""
                {
                  "backup_description": "d",
                  "backup_id": "b1",
                  "backup_name": null,
                  "chunk_size": 32768,
                  "created_at": "x",
                  "sha256s": [
                    "%s",
                    "%s"
                  ],
                  "version": "1.0.0",
                  "volume_id": "v1"
                }""".formatted("aa".repeat(32), "bb".repeat(32)),
                new String(store.get("c", "two"), StandardCharsets.US_ASCII));

        ShaFileWriter empty = new ShaFileWriter(store.create("c", "none"), header, 32768);
        empty.commit();
        assertTrue(new String(store.get("c", "none"), StandardCharsets.US_ASCII).contains("\"sha256s\": [],\n"));
    }

    @Test
    void shaFileReaderStreamsHashesAndReadsChunkSize() throws Exception {
        String doc = """
                {"backup_id": "b", "chunk_size": 4096, "extra": [1, [2, 3], {"x": 1}],
                 "sha256s": ["%s", "%s", "bogus"], "version": "1.0.0"}""".formatted("ab".repeat(32), "CD".repeat(32));
        assertEquals(4096, ShaFileReader.chunkSize(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8))));
        try (ShaFileReader r = new ShaFileReader(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)))) {
            assertArrayEquals(HexFormat.of().parseHex("ab".repeat(32)), r.next());
            assertArrayEquals(HexFormat.of().parseHex("cd".repeat(32)), r.next());
            assertEquals(0, r.next().length); // not a hash: never matches, block counts as changed
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void backupWritesCinderShapedMetadataAndShaFile() throws Exception {
        int sha = 4096;
        byte[] data = random(100 * 1024 + 1000, 1); // 26 blocks, the last one short
        ChunkedBackupDriver driver = fx.driver(options(32 * 1024, sha, "zlib"));
        BackupRef ref = new BackupRef("1b2c3d4e-0000-4000-8000-000000000001", fx.volumeId, 1, null, null,
                "my backup", null, DriverFixture.CREATED, null);
        BackupRef full = fx.backup(driver, ref, null, fx.volume(data));
        BackupPrefix prefix = new BackupPrefix(full.serviceMetadata());
        Path container = fx.containerDir(full);

        String metaText = Files.readString(container.resolve(prefix.metadataName()));
        JsonNode meta = JSON.readTree(metaText);
        assertEquals(Set.of("backup_description", "backup_id", "backup_name", "created_at", "objects", "parent_id",
                "version", "volume_id", "volume_meta"), keys(meta));
        assertEquals(dev.ember.driver.PyJson.dumpsSortedIndented(JSON.convertValue(meta, Map.class)), metaText, "sorted keys, indent 2");
        assertEquals("1.0.0", meta.get("version").asText());
        assertEquals(ref.id(), meta.get("backup_id").asText());
        assertEquals(fx.volumeId, meta.get("volume_id").asText());
        assertEquals("my backup", meta.get("backup_name").asText());
        assertTrue(meta.get("backup_description").isNull());
        assertEquals("2026-11-23 12:16:50+00:00", meta.get("created_at").asText());
        assertTrue(meta.get("parent_id").isNull());
        assertTrue(meta.get("volume_meta").isNull());
        assertEquals(4, meta.get("objects").size());
        long expectedOffset = 0;
        int n = 1;
        for (JsonNode item : meta.get("objects")) {
            assertEquals(1, item.size());
            String name = item.fieldNames().next();
            assertEquals(prefix.value() + String.format("-%05d", n++), name);
            JsonNode f = item.get(name);
            assertEquals(Set.of("compression", "length", "md5", "offset"), keys(f));
            assertEquals(expectedOffset, f.get("offset").asLong());
            int len = (int) f.get("length").asLong();
            byte[] slice = java.util.Arrays.copyOfRange(data, (int) expectedOffset, (int) expectedOffset + len);
            assertEquals(hex("MD5", slice), f.get("md5").asText());
            assertEquals("none", f.get("compression").asText()); // random data never compresses
            expectedOffset += len;
        }
        assertEquals(data.length, expectedOffset);

        String shaText = Files.readString(container.resolve(prefix.shaFileName()));
        JsonNode shaFile = JSON.readTree(shaText);
        assertEquals(Set.of("backup_description", "backup_id", "backup_name", "chunk_size", "created_at", "sha256s",
                "version", "volume_id"), keys(shaFile));
        assertEquals(dev.ember.driver.PyJson.dumpsSortedIndented(JSON.convertValue(shaFile, Map.class)), shaText);
        assertEquals(sha, shaFile.get("chunk_size").asInt());
        List<String> expected = new ArrayList<>();
        for (int off = 0; off < data.length; off += sha) {
            expected.add(hex("SHA-256", java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + sha))));
        }
        List<String> actual = new ArrayList<>();
        shaFile.get("sha256s").forEach(h -> actual.add(h.asText()));
        assertEquals(expected, actual);
    }

    @Test
    void metadataRoundTrips() throws Exception {
        BackupMetadataFile m = new BackupMetadataFile(new BackupHeader("1.0.0", "b", "v", "n", "d", "c"), "p",
                List.of(new ObjectEntry("o-00001", 0, 10, "zlib", "aa"), new ObjectEntry("o-00002", 10, 5, "none", "bb")),
                "{\"a\": 1}");
        BackupMetadataFile back = BackupMetadataFile.parse(m.toJson().getBytes(StandardCharsets.UTF_8));
        assertEquals(m, back);
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        Iterator<String> it = n.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }
}
