package dev.ember.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Validated tokens, so that not every API call costs a Keystone round trip. Keyed by the token's
 * SHA-256 (as keystonemiddleware does) so no raw token sits in memory longer than its request.
 * An entry lives until the earlier of the token's own expiry and {@code token_cache_time}: a
 * token is never accepted from here after Keystone's expires_at. Least recently used entries are
 * dropped beyond {@code maxEntries}, so a flood of distinct tokens cannot exhaust the heap.
 */
final class TokenCache {

    private record Entry(ValidatedToken token, Instant until) {}

    private final int maxEntries;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> entries;

    TokenCache(int maxEntries, Duration ttl, Clock clock) {
        this.maxEntries = maxEntries;
        this.ttl = ttl;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > TokenCache.this.maxEntries;
            }
        };
    }

    synchronized Optional<ValidatedToken> get(String rawToken) {
        String key = hash(rawToken);
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(e.until())) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.of(e.token());
    }

    synchronized void put(String rawToken, ValidatedToken token) {
        if (ttl.isZero()) {
            return;
        }
        Instant now = clock.instant();
        Instant until = now.plus(ttl);
        if (token.expiresAt().isBefore(until)) {
            until = token.expiresAt();
        }
        if (now.isBefore(until)) {
            entries.put(hash(rawToken), new Entry(token, until));
        }
    }

    synchronized int size() {
        return entries.size();
    }

    /** Hex SHA-256 of a token: the only form in which tokens appear in keys and log lines. */
    static String hash(String rawToken) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(rawToken.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JVM", e);
        }
    }

    /** Short hash prefix for logs: enough to correlate requests, useless to an attacker. */
    static String logId(String rawToken) {
        return hash(rawToken).substring(0, 12);
    }
}
