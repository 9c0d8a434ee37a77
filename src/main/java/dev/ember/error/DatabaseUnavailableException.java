package dev.ember.error;

/**
 * The database cannot be reached (the connection is refused or lost, or the pool has none to give
 * in time): the same request may well pass later. The database layer raises it in place of the
 * driver's exception, which it keeps as the cause, so callers above it need not know JDBC's
 * exceptions; the API answers it with cinder's 503 fault and Retry-After.
 */
public final class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(Throwable cause) {
        // The driver's message, so what logs and failure reasons show reads as before.
        super(cause.getMessage(), cause);
    }
}
