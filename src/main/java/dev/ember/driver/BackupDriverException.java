package dev.ember.driver;

/**
 * A driver failure. The message becomes the backup's {@code fail_reason}, so it must say what
 * went wrong in words an operator can act on, and never contain secrets.
 */
public class BackupDriverException extends Exception {

    public BackupDriverException(String message) {
        super(message);
    }

    public BackupDriverException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A backup failed and so did the removal of what it had written (the storage was unreachable):
     * the caller should run {@link BackupDriver#cleanupInterrupted} again once it is back.
     */
    public static final class LeftoversRemain extends BackupDriverException {
        public LeftoversRemain(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The restore was cancelled because the backup left the {@code restoring} state. */
    public static final class Cancelled extends BackupDriverException {
        public Cancelled(String message) {
            super(message);
        }
    }
}
