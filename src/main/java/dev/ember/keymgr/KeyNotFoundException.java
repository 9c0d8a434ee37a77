package dev.ember.keymgr;

/** No key of that id (castellan's ManagedObjectNotFoundError). */
public final class KeyNotFoundException extends KeyManagerException {
    public KeyNotFoundException(String message) {
        super(message);
    }
}
