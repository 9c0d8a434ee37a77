package dev.ember.error;

/**
 * A failure with cinder's meaning and message. Thrown anywhere below the API; the API maps the
 * {@link Kind} to cinder's status code and fault envelope in one place.
 */
public class CinderException extends RuntimeException {

    /** What kind of fault this is, independent of HTTP. */
    public enum Kind { BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_SUPPORTED, CONFLICT, OVER_LIMIT,
        NOT_ACCEPTABLE, SERVICE_UNAVAILABLE, INTERNAL }

    private final Kind kind;

    public CinderException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static CinderException invalidBackup(String reason) {
        return new CinderException(Kind.BAD_REQUEST, "Invalid backup: " + reason);
    }

    public static CinderException invalidVolume(String reason) {
        return new CinderException(Kind.BAD_REQUEST, "Invalid volume: " + reason);
    }

    public static CinderException invalidSnapshot(String reason) {
        return new CinderException(Kind.BAD_REQUEST, "Invalid snapshot: " + reason);
    }

    public static CinderException invalidInput(String reason) {
        return new CinderException(Kind.BAD_REQUEST, "Invalid input received: " + reason);
    }

    public static CinderException badRequest(String message) {
        return new CinderException(Kind.BAD_REQUEST, message);
    }

    public static CinderException backupNotFound(String id) {
        return new CinderException(Kind.NOT_FOUND, "Backup " + id + " could not be found.");
    }

    public static CinderException volumeNotFound(String id) {
        return new CinderException(Kind.NOT_FOUND, "Volume " + id + " could not be found.");
    }

    public static CinderException notFound(String message) {
        return new CinderException(Kind.NOT_FOUND, message);
    }

    public static CinderException serviceNotFound() {
        return new CinderException(Kind.NOT_FOUND, "Service cinder-backup could not be found.");
    }

    public static CinderException notSupported(String operation) {
        return new CinderException(Kind.NOT_SUPPORTED, "Operation not supported: " + operation + ".");
    }

    public static CinderException forbidden(String message) {
        return new CinderException(Kind.FORBIDDEN, message);
    }

    /** Quota faults carry the exception class name in front, as cinder's FaultWrapper prints them. */
    public static CinderException overLimit(String exceptionClass, String message) {
        return new CinderException(Kind.OVER_LIMIT, exceptionClass + ": " + message);
    }

    public static CinderException unavailable(String message) {
        return new CinderException(Kind.SERVICE_UNAVAILABLE, message);
    }
}
