package dev.ember.rpc.oslo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The AMQP messages captured from a real cinder 21.3.1 deployment (tests/rpc/captures). */
public final class Captures {

    public static final ObjectMapper JSON = new ObjectMapper();

    private Captures() {
    }

    public static Path dir() {
        Path p = Path.of("tests", "rpc", "captures");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("run the tests from the project root: " + p.toAbsolutePath());
        }
        return p;
    }

    public static List<Path> all() {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(f -> f.getFileName().toString().matches("rpc-.*\\.json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode load(String name) {
        return load(dir().resolve(name));
    }

    public static JsonNode load(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The AMQP body bytes as published (the envelope). */
    public static byte[] body(JsonNode capture) {
        try {
            return JSON.writeValueAsString(capture.get("body")).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The inner dict of the capture's body. */
    public static JsonNode inner(JsonNode capture) {
        try {
            return JSON.readTree(capture.get("body").get("oslo.message").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
