package dev.ember.auth;

/**
 * The request could not be authenticated. By default the caller sent no valid credentials (401);
 * subclasses report other statuses through {@link #httpStatus()} so the API can map every
 * authentication failure without knowing each subtype.
 */
public class AuthException extends Exception {
    public AuthException(String message) {
        super(message);
    }

    protected AuthException(String message, Throwable cause) {
        super(message, cause);
    }

    /** HTTP status the API should answer with: 401 unless a subclass says otherwise. */
    public int httpStatus() {
        return 401;
    }
}
