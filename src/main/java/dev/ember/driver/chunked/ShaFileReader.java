package dev.ember.driver.chunked;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

/**
 * Reads a parent's {@code _sha256file} without loading it: {@link #chunkSize} looks only at the
 * header, and an instance hands out the hashes one by one in volume order, which is exactly the
 * order an incremental backup compares them in.
 */
final class ShaFileReader implements Closeable {

    private static final JsonFactory JSON = new JsonFactory();

    private final JsonParser parser;
    private boolean exhausted;

    /** Positions the reader at the first hash of {@code sha256s}. */
    ShaFileReader(InputStream in) throws IOException {
        this.parser = JSON.createParser(in);
        try {
            if (!seekField(parser, "sha256s") || parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("it has no 'sha256s' list");
            }
        } catch (IOException e) {
            parser.close();
            throw e;
        }
    }

    /** The {@code chunk_size} field (the SHA block size the file was made with). */
    static long chunkSize(InputStream in) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            if (!seekField(p, "chunk_size")) {
                throw new IOException("it has no 'chunk_size'");
            }
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new IOException("its 'chunk_size' is not an integer");
            }
            return p.getLongValue();
        }
    }

    /**
     * The next hash as 32 bytes, or null when the parent has no more blocks (or the entry is not a
     * valid hash, which can then never match: the block is simply treated as changed).
     */
    byte[] next() throws IOException {
        if (exhausted) {
            return null;
        }
        JsonToken t = parser.nextToken();
        if (t != JsonToken.VALUE_STRING) {
            exhausted = true;
            return null;
        }
        String hex = parser.getText();
        if (hex.length() != 64) {
            return new byte[0];
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /** Advances to the value of a top-level field, skipping everything else (arrays included). */
    private static boolean seekField(JsonParser p, String field) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("it is not a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            if (field.equals(p.currentName())) {
                return true;
            }
            p.nextToken();
            p.skipChildren();
        }
        return false;
    }
}
