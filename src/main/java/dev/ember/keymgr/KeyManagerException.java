package dev.ember.keymgr;

/** A key manager refused or failed an operation (castellan's KeyManagerError). */
public class KeyManagerException extends Exception {
    public KeyManagerException(String message) {
        super(message);
    }

    public KeyManagerException(String message, Throwable cause) {
        super(message, cause);
    }
}
