package dev.ember.keymgr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * castellan's Barbican key manager over Barbican's secrets API: {@code GET /v1/secrets/{id}} (the
 * secret's algorithm and length) and {@code GET /v1/secrets/{id}/payload} read a key,
 * {@code POST /v1/secrets} stores one (answering {@code secret_ref}, whose last path element is the
 * new id), {@code DELETE /v1/secrets/{id}} deletes one (404: already gone). Every request carries
 * {@code X-Auth-Token}: Ember's Keystone service token.
 */
public final class BarbicanKeyManager implements KeyManager {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI secrets;
    private final Supplier<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param endpoint   {@code [barbican] barbican_endpoint}, e.g. {@code http://controller:9311}
     * @param apiVersion {@code [barbican] barbican_api_version} (castellan: v1)
     * @param token      the token to present
     */
    public BarbicanKeyManager(String endpoint, String apiVersion, Supplier<String> token) {
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        String version = apiVersion == null || apiVersion.isBlank() ? "v1" : apiVersion.strip();
        // castellan: an endpoint that already names the version is used as it is
        this.secrets = URI.create((base.endsWith("/" + version) ? base : base + "/" + version) + "/secrets");
        this.token = token;
    }

    private URI secret(String id) throws KeyManagerException {
        if (id == null || !id.matches("[0-9a-fA-F-]{1,64}")) {
            throw new KeyNotFoundException("Key not found, uuid: " + id);
        }
        return URI.create(secrets + "/" + id);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder b) throws KeyManagerException {
        try {
            return http.send(b.timeout(TIMEOUT).header("X-Auth-Token", token.get()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new KeyManagerException("Key manager error: Barbican at " + secrets + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyManagerException("interrupted talking to Barbican", e);
        } catch (RuntimeException e) {
            throw new KeyManagerException("Key manager error: " + e.getMessage(), e);
        }
    }

    private static void check(HttpResponse<byte[]> r, String what, String id) throws KeyManagerException {
        if (r.statusCode() == 404) {
            throw new KeyNotFoundException("Key not found, uuid: " + id);
        }
        if (r.statusCode() / 100 != 2) {
            throw new KeyManagerException("Key manager error: " + what + " answered HTTP " + r.statusCode() + ": "
                    + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The secret's metadata and payload. */
    private record Secret(JsonNode meta, byte[] payload) {
    }

    private Secret fetch(String keyId) throws KeyManagerException {
        URI uri = secret(keyId);
        HttpResponse<byte[]> meta = send(HttpRequest.newBuilder(uri).header("Accept", "application/json").GET());
        check(meta, "GET " + uri, keyId);
        HttpResponse<byte[]> payload = send(HttpRequest.newBuilder(URI.create(uri + "/payload"))
                .header("Accept", "application/octet-stream").GET());
        check(payload, "GET " + uri + "/payload", keyId);
        try {
            return new Secret(JSON.readTree(meta.body()), payload.body());
        } catch (IOException e) {
            throw new KeyManagerException("Key manager error: Barbican's answer for " + keyId + " is not JSON", e);
        }
    }

    @Override
    public byte[] get(String keyId) throws KeyManagerException {
        return fetch(keyId).payload();
    }

    @Override
    public String store(byte[] key) throws KeyManagerException {
        return store(key, "AES", key.length * 8, "symmetric");
    }

    /** cinder's clone: the copy keeps the original's algorithm, length and type. */
    @Override
    public String cloneKey(String keyId) throws KeyManagerException {
        if (keyId == null) {
            return null;
        }
        Secret s = fetch(keyId);
        JsonNode m = s.meta();
        return store(s.payload(), m.path("algorithm").asText("AES"),
                m.path("bit_length").asInt(s.payload().length * 8), m.path("secret_type").asText("symmetric"));
    }

    private String store(byte[] key, String algorithm, int bitLength, String type) throws KeyManagerException {
        ObjectNode body = JSON.createObjectNode()
                .put("payload", Base64.getEncoder().encodeToString(key))
                .put("payload_content_type", "application/octet-stream")
                .put("payload_content_encoding", "base64")
                .put("algorithm", algorithm)
                .put("bit_length", bitLength)
                .put("secret_type", type);
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(secrets).header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        check(r, "POST " + secrets, null);
        try {
            String ref = JSON.readTree(r.body()).path("secret_ref").asText("");
            String id = ref.substring(ref.lastIndexOf('/') + 1);
            if (id.isEmpty()) {
                throw new KeyManagerException("Key manager error: Barbican answered no secret_ref");
            }
            return id;
        } catch (IOException e) {
            throw new KeyManagerException("Key manager error: Barbican's answer to POST is not JSON", e);
        }
    }

    @Override
    public void delete(String keyId) throws KeyManagerException {
        URI uri = secret(keyId);
        check(send(HttpRequest.newBuilder(uri).DELETE()), "DELETE " + uri, keyId);
    }
}
