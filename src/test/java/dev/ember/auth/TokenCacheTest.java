package dev.ember.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private ValidatedToken token(String user, Duration validFor) {
        return new ValidatedToken(user, "p", Set.of("member"), clock.instant().plus(validFor));
    }

    @Test
    void boundedLeastRecentlyUsedGoesFirst() {
        TokenCache cache = new TokenCache(2, Duration.ofMinutes(5), clock);
        cache.put("t1", token("u1", Duration.ofHours(1)));
        cache.put("t2", token("u2", Duration.ofHours(1)));
        assertTrue(cache.get("t1").isPresent()); // t1 now most recently used
        cache.put("t3", token("u3", Duration.ofHours(1)));

        assertEquals(2, cache.size());
        assertTrue(cache.get("t1").isPresent());
        assertFalse(cache.get("t2").isPresent());
        assertTrue(cache.get("t3").isPresent());
    }

    @Test
    void entryLivesUntilEarlierOfTokenExpiryAndCacheTime() {
        TokenCache cache = new TokenCache(10, Duration.ofMinutes(5), clock);
        cache.put("short", token("u1", Duration.ofMinutes(1)));
        cache.put("long", token("u2", Duration.ofHours(1)));

        clock.advance(Duration.ofSeconds(59));
        assertTrue(cache.get("short").isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertFalse(cache.get("short").isPresent());
        assertTrue(cache.get("long").isPresent());
        clock.advance(Duration.ofMinutes(4));
        assertFalse(cache.get("long").isPresent());
    }

    @Test
    void alreadyExpiredTokenIsNotCached() {
        TokenCache cache = new TokenCache(10, Duration.ofMinutes(5), clock);
        cache.put("t", token("u", Duration.ofSeconds(-1)));
        assertEquals(0, cache.size());
    }

    @Test
    void keysAreHashesNotTokens() {
        String hash = TokenCache.hash("secret-token");
        assertEquals(64, hash.length());
        assertFalse(hash.contains("secret"));
        assertEquals(12, TokenCache.logId("secret-token").length());
        assertTrue(hash.startsWith(TokenCache.logId("secret-token")));
    }
}
