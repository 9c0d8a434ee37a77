package dev.ember.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ember.driver.BackupRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The golden backups of {@code src/test/resources/golden} (written by Debian's real cinder-backup,
 * see its README.md): their backups rows, the expected volume content after each backup and the
 * data generator of {@code tests/golden/golden.py}, re-implemented, so the tests compare real bytes.
 */
public final class GoldenData {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One write of the plan: {@code kind} text, random or zero. */
    public record Write(long offset, int length, String kind, int seed) {
    }

    public final Path dir;
    public final JsonNode expected;
    public final List<JsonNode> rows = new ArrayList<>();
    public final List<List<Write>> plan = new ArrayList<>();

    private GoldenData(Path dir) throws IOException {
        this.dir = dir;
        this.expected = JSON.readTree(dir.resolve("expected.json").toFile());
        JSON.readTree(dir.resolve("backups.json").toFile()).forEach(rows::add);
        for (JsonNode step : expected.get("plan")) {
            List<Write> ws = new ArrayList<>();
            for (JsonNode w : step) {
                ws.add(new Write(w.get("offset").asLong(), w.get("length").asInt(), w.get("kind").asText(),
                        w.get("seed").asInt()));
            }
            plan.add(ws);
        }
    }

    /** The golden set under {@code golden/<name>} on the test class path (e.g. "posix/zlib", "ceph"). */
    public static GoldenData load(String name) {
        URL url = GoldenData.class.getResource("/golden/" + name + "/expected.json");
        if (url == null) {
            throw new IllegalStateException("no golden backups golden/" + name + " on the class path");
        }
        try {
            return new GoldenData(Path.of(url.toURI()).getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public String volumeId() {
        return expected.get("volume_id").asText();
    }

    /** The backups row of the i-th backup (in the order they were made). */
    public JsonNode row(int i) {
        return rows.get(i);
    }

    /** The expected.json entry of the i-th backup (volume_sha256, plan_steps, ...). */
    public JsonNode backup(int i) {
        return expected.get("backups").get(i);
    }

    public int count() {
        return rows.size();
    }

    /** The row as Ember's driver sees it (the manager copies these columns). */
    public BackupRef ref(int i) {
        JsonNode r = row(i);
        return new BackupRef(r.get("id").asText(), r.get("volume_id").asText(), r.get("size").asInt(),
                text(r, "container"), text(r, "service_metadata"), text(r, "display_name"),
                text(r, "display_description"), LocalDateTime.parse(r.get("created_at").asText()),
                text(r, "parent_id"));
    }

    /** The chain of the i-th backup, full first (walking parent_id as cinder's restore does). */
    public List<BackupRef> chain(int i) {
        List<BackupRef> out = new ArrayList<>();
        for (BackupRef b = ref(i); b != null; b = parent(b)) {
            out.add(0, b);
        }
        return out;
    }

    private BackupRef parent(BackupRef b) {
        if (b.parentId() == null) {
            return null;
        }
        for (int i = 0; i < count(); i++) {
            if (row(i).get("id").asText().equals(b.parentId())) {
                return ref(i);
            }
        }
        throw new IllegalStateException("parent " + b.parentId() + " of " + b.id() + " is not in backups.json");
    }

    private static String text(JsonNode r, String field) {
        JsonNode n = r.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    // ------------------------------------------------------------------ the data ---

    /** tests/golden/golden.py pattern(): the bytes one write puts on the volume. */
    public static byte[] pattern(String kind, int seed, int length) {
        byte[] out = new byte[length];
        int pos = 0;
        for (int i = 0; pos < length && !kind.equals("zero"); i++) {
            byte[] piece = switch (kind) {
                case "random" -> sha256(("ember-golden:" + seed + ":" + i).getBytes(StandardCharsets.US_ASCII));
                case "text" -> String.format("golden %d line %06d the quick brown fox\n", seed, i)
                        .getBytes(StandardCharsets.US_ASCII);
                default -> throw new IllegalArgumentException(kind);
            };
            int n = Math.min(piece.length, length - pos);
            System.arraycopy(piece, 0, out, pos, n);
            pos += n;
        }
        return out;
    }

    /** The volume's bytes in [from, from + length) after the plan's first {@code steps} steps. */
    public byte[] content(int steps, long from, int length) {
        byte[] out = new byte[length];
        for (List<Write> step : plan.subList(0, steps)) {
            for (Write w : step) {
                long lo = Math.max(w.offset(), from);
                long hi = Math.min(w.offset() + w.length(), from + length);
                if (lo < hi) {
                    byte[] p = pattern(w.kind(), w.seed(), w.length());
                    System.arraycopy(p, (int) (lo - w.offset()), out, (int) (lo - from), (int) (hi - lo));
                }
            }
        }
        return out;
    }

    /** Every write of the plan's first {@code steps} steps (the regions worth comparing). */
    public List<Write> writes(int steps) {
        return plan.subList(0, steps).stream().flatMap(List::stream).toList();
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Index of the first differing byte, or -1. */
    public static long firstDifference(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : n;
    }
}
