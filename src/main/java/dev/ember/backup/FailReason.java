package dev.ember.backup;

/** The text of a backup's {@code fail_reason}, as the manager records it. */
final class FailReason {

    /** The column's width (cinder's backups.fail_reason is a VARCHAR(255)). */
    private static final int MAX = 255;

    private FailReason() {
    }

    /** {@code s} cut to what the column holds; null stays null. */
    static String truncate(String s) {
        if (s == null) {
            return null;
        }
        return s.length() <= MAX ? s : s.substring(0, MAX);
    }

    /** An exception's message, or its class's simple name when it has none. */
    static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
