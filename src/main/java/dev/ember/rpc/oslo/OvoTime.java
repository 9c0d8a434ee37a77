package dev.ember.rpc.oslo;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * oslo.versionedobjects DateTimeField: written as {@code %Y-%m-%dT%H:%M:%SZ} (UTC, no fraction), read
 * from any ISO-8601 form. Values are naive UTC {@link LocalDateTime}s, like cinder's database columns.
 */
public final class OvoTime {

    private static final DateTimeFormatter WRITE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private OvoTime() {
    }

    public static String format(LocalDateTime utc) {
        return utc == null ? null : utc.withNano(0).format(WRITE);
    }

    public static LocalDateTime parse(Object value) {
        if (value == null) {
            return null;
        }
        String s = value.toString().strip().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s);
            } catch (DateTimeParseException e2) {
                throw new OsloProtocolException("not an ISO-8601 time: " + value);
            }
        }
    }
}
