package dev.ember.keymgr;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.ember.config.Config;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key manager cinder's options select, and the behaviour cinder relies on from each. */
class KeyManagersTest {

    private static final String KEY = "00112233445566778899aabbccddeeff";

    @Test
    void confKeyManagerClonesTheFixedKeyToItself() throws Exception {
        KeyManager km = KeyManagers.fromConfig(Config.empty()
                .with("key_manager", "backend", "cinder.keymgr.conf_key_mgr.ConfKeyManager")
                .with("key_manager", "fixed_key", KEY), null);
        assertInstanceOf(ConfKeyManager.class, km);
        assertEquals("00000000-0000-0000-0000-000000000000", km.cloneKey(ConfKeyManager.KEY_ID));
        km.deleteKey(ConfKeyManager.KEY_ID); // "Not deleting key": nothing happens
        assertThrows(KeyManagerException.class, () -> km.cloneKey("11111111-0000-0000-0000-000000000000"));
        assertThrows(KeyManagerException.class, () -> km.store(new byte[16]), "cannot store arbitrary keys");
        KeyManagerException noKey = assertThrows(KeyManagerException.class,
                () -> new ConfKeyManager(null).cloneKey(ConfKeyManager.KEY_ID));
        assertEquals("config option key_manager.fixed_key is not defined", noKey.getMessage());
    }

    @Test
    void backendDefaultsFollowTheAuthStrategy() {
        assertInstanceOf(ConfKeyManager.class, KeyManagers.fromConfig(Config.empty()
                .with("DEFAULT", "auth_strategy", "noauth"), null));
        assertInstanceOf(BarbicanKeyManager.class, KeyManagers.fromConfig(Config.empty()
                .with("DEFAULT", "auth_strategy", "keystone")
                .with("barbican", "barbican_endpoint", "http://127.0.0.1:9311"), () -> "t"));
        assertInstanceOf(BarbicanKeyManager.class, KeyManagers.fromConfig(Config.empty()
                .with("key_manager", "backend", "castellan.key_manager.barbican_key_manager.BarbicanKeyManager")
                .with("barbican", "barbican_endpoint", "http://127.0.0.1:9311"), () -> "t"));
        assertThrows(IllegalArgumentException.class, () -> KeyManagers.fromConfig(Config.empty()
                .with("key_manager", "backend", "vault"), null));
    }

    @Test
    void barbicanDeleteOfAGoneSecretIsNotAnErrorButAnOutageIs() throws Exception {
        WireMockServer w = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        w.start();
        try {
            String gone = "0a0b0c0d-0000-4000-8000-000000000001";
            String broken = "0a0b0c0d-0000-4000-8000-000000000002";
            w.stubFor(delete(urlEqualTo("/v1/secrets/" + gone)).willReturn(aResponse().withStatus(404)));
            w.stubFor(delete(urlEqualTo("/v1/secrets/" + broken)).willReturn(aResponse().withStatus(500)));
            w.stubFor(get(urlEqualTo("/v1/secrets/" + gone)).willReturn(aResponse().withStatus(404)));
            BarbicanKeyManager km = new BarbicanKeyManager("http://127.0.0.1:" + w.port() + "/v1", "v1", () -> "tok");
            km.deleteKey(gone);
            KeyManagerException e = assertThrows(KeyManagerException.class, () -> km.deleteKey(broken));
            assertTrue(e.getMessage().contains("500"), e.getMessage());
            assertThrows(KeyNotFoundException.class, () -> km.cloneKey(gone));
        } finally {
            w.stop();
        }
    }
}
