package dev.ember.driver.chunked;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Streams {@code <prefix>_sha256file} while the volume is read. A 1 TiB volume has 32 million
 * hashes (2.4 GB of JSON), so the list is never held in memory: hashes are appended as they are
 * computed, and the object only becomes visible at {@link #commit()}. The text is what
 * {@link PyJson} would produce for the whole document.
 */
final class ShaFileWriter implements Closeable {

    private static final String MARKER = "sha256-list-goes-here";
    private static final int FLUSH_AT = 64 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final ObjectWriter out;
    private final String head;      // up to and including "[\n    " of the sha256s list
    private final String tail;      // from "\n  ]" of the list to the end
    private final String emptyDocument;
    private final StringBuilder buf = new StringBuilder();
    private long count;

    ShaFileWriter(ObjectWriter out, BackupHeader header, int shaBlockSize) {
        this.out = out;
        Map<String, Object> doc = header.toMap();
        doc.put("chunk_size", shaBlockSize);
        doc.put("sha256s", List.of(MARKER));
        String text = dev.ember.driver.PyJson.dumpsSortedIndented(doc);
        // The key can only appear unescaped as the key itself; values have their quotes escaped.
        int list = text.indexOf("\"sha256s\": [");
        int marker = text.indexOf('"' + MARKER + '"', list);
        this.head = text.substring(0, marker);
        this.tail = text.substring(marker + MARKER.length() + 2);
        doc.put("sha256s", List.of());
        this.emptyDocument = dev.ember.driver.PyJson.dumpsSortedIndented(doc);
    }

    void add(byte[] sha256) throws IOException {
        buf.append(count == 0 ? head : ",\n    ");
        buf.append('"').append(HEX.formatHex(sha256)).append('"');
        count++;
        if (buf.length() >= FLUSH_AT) {
            flush();
        }
    }

    long count() {
        return count;
    }

    void commit() throws IOException {
        buf.append(count == 0 ? emptyDocument : tail);
        flush();
        out.commit();
    }

    private void flush() throws IOException {
        out.write(buf.toString().getBytes(StandardCharsets.US_ASCII));
        buf.setLength(0);
    }

    /** Discards the file unless it was committed. */
    @Override
    public void close() throws IOException {
        out.close();
    }
}
