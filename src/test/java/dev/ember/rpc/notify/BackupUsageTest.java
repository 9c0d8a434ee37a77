package dev.ember.rpc.notify;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupUsageTest {

    @Test
    void createdAtIsPythonIsoformatOfAnAwareUtcDatetime() {
        assertEquals("2024-05-01T10:00:00+00:00", BackupUsage.isoformat(LocalDateTime.of(2024, 5, 1, 10, 0)));
        assertEquals("2024-05-01T10:00:05.120000+00:00",
                BackupUsage.isoformat(LocalDateTime.of(2024, 5, 1, 10, 0, 5, 120_000_000)));
        assertEquals(null, BackupUsage.isoformat(null));
    }

    @Test
    void timestampIsStrOfUtcnow() {
        assertTrue(AmqpNotifier.pythonUtcNow().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?"));
    }
}
