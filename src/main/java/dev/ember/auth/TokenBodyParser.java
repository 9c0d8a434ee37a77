package dev.ember.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Reads the parts of a Keystone v3 token document ({@code {"token": {...}}}) that Ember uses. */
final class TokenBodyParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenBodyParser() {}

    static ValidatedToken parse(String body) throws KeystoneUnavailableException {
        JsonNode token;
        try {
            token = JSON.readTree(body).path("token");
        } catch (JsonProcessingException e) {
            throw new KeystoneUnavailableException("Keystone returned an unreadable token document");
        }
        String userId = text(token.path("user").path("id"));
        String expires = text(token.path("expires_at"));
        if (userId == null || expires == null) {
            throw new KeystoneUnavailableException("Keystone returned a token document without user or expiry");
        }
        Set<String> roles = new HashSet<>();
        for (JsonNode role : token.path("roles")) {
            String name = text(role.path("name"));
            if (name != null) {
                // oslo.policy compares roles case-insensitively; lower-casing once keeps checks simple.
                roles.add(name.toLowerCase(Locale.ROOT));
            }
        }
        return new ValidatedToken(userId, text(token.path("project").path("id")), roles, instant(expires));
    }

    private static String text(JsonNode n) {
        return n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }

    // Keystone writes "2025-01-01T12:00:00.000000Z"; older releases wrote "+00:00" or no zone.
    private static Instant instant(String s) throws KeystoneUnavailableException {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new KeystoneUnavailableException("Keystone returned an unreadable expires_at");
            }
        }
    }
}
