package dev.ember.keymgr;

import dev.ember.config.Config;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The key manager {@code [key_manager] backend} names, as castellan reads it: {@code barbican}
 * (or castellan's class path) or cinder's {@code cinder.keymgr.conf_key_mgr.ConfKeyManager}
 * (with {@code [key_manager] fixed_key}). Without the option: Barbican under
 * {@code auth_strategy = keystone} (castellan's default), the fixed key otherwise.
 */
public final class KeyManagers {

    private KeyManagers() {
    }

    /** @param serviceToken Ember's Keystone token, for Barbican; null when there is no Keystone */
    public static KeyManager fromConfig(Config config, Supplier<String> serviceToken) {
        boolean keystone = "keystone".equals(config.get("auth_strategy", "keystone"));
        String backend = config.get("key_manager", "backend", keystone ? "barbican" : "ConfKeyManager").strip();
        String simple = backend.substring(backend.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        switch (simple) {
            case "confkeymanager":
                return new ConfKeyManager(config.get("key_manager", "fixed_key", null));
            case "barbican":
            case "barbicankeymanager": {
                String endpoint = config.get("barbican", "barbican_endpoint", null);
                if (endpoint == null || endpoint.isBlank()) {
                    return new Unconfigured("[barbican] barbican_endpoint is not set (Ember does not look "
                            + "Barbican up in the Keystone catalog)");
                }
                Supplier<String> token = serviceToken != null ? serviceToken : () -> {
                    throw new IllegalStateException("Barbican needs a Keystone token: set auth_strategy = keystone");
                };
                return new BarbicanKeyManager(endpoint.strip(), config.get("barbican", "barbican_api_version", "v1"),
                        token);
            }
            default:
                throw new IllegalArgumentException("[key_manager] backend = " + backend + " is not supported "
                        + "(barbican or cinder.keymgr.conf_key_mgr.ConfKeyManager)");
        }
    }

    /** A backend that cannot work as configured: only encrypted volumes' backups notice. */
    private record Unconfigured(String reason) implements KeyManager {
        @Override
        public byte[] get(String keyId) throws KeyManagerException {
            throw new KeyManagerException(reason);
        }

        @Override
        public String store(byte[] key) throws KeyManagerException {
            throw new KeyManagerException(reason);
        }

        @Override
        public void delete(String keyId) throws KeyManagerException {
            throw new KeyManagerException(reason);
        }
    }
}
