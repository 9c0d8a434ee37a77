package dev.ember.keymgr;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * cinder's {@code cinder.keymgr.conf_key_mgr.ConfKeyManager}: one fixed key, {@code [key_manager]
 * fixed_key} in hex, whose id is always {@value #KEY_ID}. Storing that key answers the same id (so
 * a clone of the key is the key itself), storing any other is refused, and a delete deletes
 * nothing. Insecure by design, as cinder says: for test and single-node deployments.
 */
public final class ConfKeyManager implements KeyManager {

    public static final String KEY_ID = "00000000-0000-0000-0000-000000000000";

    private final String fixedKeyHex;

    /** @param fixedKeyHex {@code [key_manager] fixed_key}; may be null (every use then fails, as cinder's) */
    public ConfKeyManager(String fixedKeyHex) {
        this.fixedKeyHex = fixedKeyHex == null || fixedKeyHex.isBlank() ? null : fixedKeyHex.strip();
    }

    private byte[] key() throws KeyManagerException {
        if (fixedKeyHex == null) {
            throw new KeyManagerException("config option key_manager.fixed_key is not defined");
        }
        try {
            return HexFormat.of().parseHex(fixedKeyHex);
        } catch (IllegalArgumentException e) {
            throw new KeyManagerException("config option key_manager.fixed_key is not valid hex", e);
        }
    }

    @Override
    public byte[] get(String keyId) throws KeyManagerException {
        if (!KEY_ID.equals(keyId)) {
            throw new KeyNotFoundException(keyId + " != " + KEY_ID);
        }
        return key();
    }

    @Override
    public String store(byte[] key) throws KeyManagerException {
        if (!Arrays.equals(key, key())) {
            throw new KeyManagerException("cannot store arbitrary keys");
        }
        return KEY_ID;
    }

    @Override
    public void delete(String keyId) throws KeyManagerException {
        if (!KEY_ID.equals(keyId)) {
            throw new KeyManagerException("cannot delete non-existent key");
        }
        // cinder: "Not deleting key": the one key lives in the configuration.
    }
}
