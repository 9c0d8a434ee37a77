package dev.ember.keymgr;

/**
 * The part of castellan's key manager API that cinder's backup manager uses for volume
 * encryption keys: get a key's bytes, store bytes as a new key, delete a key. Blocking.
 */
public interface KeyManager {

    /** The key's bytes; {@link KeyNotFoundException} when there is no such key. */
    byte[] get(String keyId) throws KeyManagerException;

    /** Stores {@code key} as a new managed key and returns its id. */
    String store(byte[] key) throws KeyManagerException;

    /** Deletes the key; {@link KeyNotFoundException} when it does not exist. */
    void delete(String keyId) throws KeyManagerException;

    /** cinder's volume_utils.clone_encryption_key: store(get(id)); null stays null. */
    default String cloneKey(String keyId) throws KeyManagerException {
        return keyId == null ? null : store(get(keyId));
    }

    /** cinder's volume_utils.delete_encryption_key: a key that is already gone is not an error. */
    default void deleteKey(String keyId) throws KeyManagerException {
        if (keyId == null) {
            return;
        }
        try {
            delete(keyId);
        } catch (KeyNotFoundException e) {
            // castellan's ManagedObjectNotFoundError, which cinder ignores
        }
    }
}
