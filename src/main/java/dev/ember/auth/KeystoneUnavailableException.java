package dev.ember.auth;

/**
 * Keystone could not answer (unreachable, timed out, 5xx, or refused Ember's own service
 * credentials). The caller's token may be perfectly valid, so the API must answer 503
 * {@code serviceUnavailable}, as keystonemiddleware does, and never 401.
 */
public final class KeystoneUnavailableException extends AuthException {
    public KeystoneUnavailableException(String message) {
        super(message);
    }

    public KeystoneUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int httpStatus() {
        return 503;
    }
}
