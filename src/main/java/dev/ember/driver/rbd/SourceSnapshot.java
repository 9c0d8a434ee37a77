package dev.ember.driver.rbd;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backup snapshot {@code backup.<backup_id>.snap.<timestamp>}: taken on the source volume for
 * one backup and recreated under the same name on the base image by the differential copy.
 *
 * @param timestamp the text after {@code .snap.}: Python's {@code str(time.time())} in cinder
 */
public record SourceSnapshot(String name, String backupId, String timestamp) {

    private static final Pattern NAME = Pattern.compile("^backup\\.([a-z0-9\\-]+?)\\.snap\\.(.+)$");

    /** Newest first: by the numeric timestamp, the name breaking ties. */
    public static final Comparator<SourceSnapshot> NEWEST_FIRST = Comparator
            .comparing(SourceSnapshot::numericTimestamp).reversed()
            .thenComparing(SourceSnapshot::name, Comparator.reverseOrder());

    /** Parses a snapshot name; anything not shaped like a backup snapshot is not one. */
    public static Optional<SourceSnapshot> parse(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? Optional.of(new SourceSnapshot(name, m.group(1), m.group(2))) : Optional.empty();
    }

    /** The snapshot name for a new backup taken at {@code at}, in cinder's float-seconds form. */
    public static SourceSnapshot forBackup(String backupId, Instant at) {
        BigDecimal seconds = BigDecimal.valueOf(at.getEpochSecond())
                .add(BigDecimal.valueOf(at.getNano() / 1000, 6)).stripTrailingZeros();
        String ts = seconds.scale() <= 0 ? seconds.setScale(1).toPlainString() : seconds.toPlainString();
        return new SourceSnapshot("backup." + backupId + ".snap." + ts, backupId, ts);
    }

    BigDecimal numericTimestamp() {
        try {
            return new BigDecimal(timestamp);
        } catch (NumberFormatException e) {
            // Not a number: sorts as the oldest, so it is never chosen as the from-snapshot.
            return BigDecimal.valueOf(Long.MIN_VALUE);
        }
    }
}
