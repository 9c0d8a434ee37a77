package dev.ember.auth;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Keystone v3 token documents shaped like a real Keystone's answers. */
final class KeystoneTokens {

    // Keystone writes microseconds and a literal Z.
    private static final DateTimeFormatter KEYSTONE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private KeystoneTokens() {}

    static String time(Instant t) {
        return KEYSTONE_TIME.format(t);
    }

    static String body(String userId, String userName, String projectId, Instant issued, Instant expires,
            String... roles) {
        String roleList = Stream.of(roles)
                .map(r -> "{\"id\": \"" + UUID.nameUUIDFromBytes(r.getBytes()).toString().replace("-", "")
                        + "\", \"name\": \"" + r + "\"}")
                .collect(Collectors.joining(", "));
        return """
                {"token": {
                  "methods": ["password"],
                  "user": {"domain": {"id": "default", "name": "Default"}, "id": "%s", "name": "%s",
                           "password_expires_at": null},
                  "audit_ids": ["3T2dc1CGQxyJsHdDu1xkcw"],
                  "expires_at": "%s",
                  "issued_at": "%s",
                  "project": {"domain": {"id": "default", "name": "Default"}, "id": "%s", "name": "demo"},
                  "is_domain": false,
                  "roles": [%s]
                }}
                """.formatted(userId, userName, time(expires), time(issued), projectId, roleList);
    }
}
