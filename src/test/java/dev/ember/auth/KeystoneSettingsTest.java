package dev.ember.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.config.Config;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeystoneSettingsTest {

    private static final String CINDER_CONF = """
            [DEFAULT]
            auth_strategy = keystone

            [keystone_authtoken]
            www_authenticate_uri = https://keystone.example.com:5000
            auth_url = https://keystone.example.com:5000/
            memcached_servers = 127.0.0.1:11211
            auth_type = password
            project_domain_name = Default
            user_domain_name = Default
            project_name = service
            username = cinder
            password = CINDER_PASS
            """;

    @Test
    void readsInstallGuideSection() {
        KeystoneSettings s = KeystoneSettings.fromConfig(Config.parse(CINDER_CONF));

        assertEquals(URI.create("https://keystone.example.com:5000/v3"), s.identityUri());
        assertEquals("Keystone uri=\"https://keystone.example.com:5000\"", s.wwwAuthenticateHeader());
        assertEquals("cinder", s.username());
        assertEquals("CINDER_PASS", s.password());
        assertEquals("service", s.projectName());
        assertEquals("Default", s.userDomainName());
        assertEquals("Default", s.projectDomainName());
        assertEquals(Duration.ofSeconds(300), s.tokenCacheTime());
        assertEquals(3, s.maxRetries());
        assertNull(s.cafile());
    }

    @Test
    void toStringHidesPassword() {
        KeystoneSettings s = KeystoneSettings.fromConfig(Config.parse(CINDER_CONF));
        assertFalse(s.toString().contains("CINDER_PASS"));
        assertTrue(s.toString().contains("password=***"));
    }

    @Test
    void optionsOverrideDefaults() {
        Config c = Config.parse(CINDER_CONF)
                .with("keystone_authtoken", "token_cache_time", "-1")
                .with("keystone_authtoken", "http_connect_timeout", "3")
                .with("keystone_authtoken", "http_request_max_retries", "0")
                .with("keystone_authtoken", "user_domain_id", "default")
                .with("keystone_authtoken", "project_id", "abc123");
        KeystoneSettings s = KeystoneSettings.fromConfig(c);
        assertEquals(Duration.ZERO, s.tokenCacheTime());
        assertEquals(Duration.ofSeconds(3), s.connectTimeout());
        assertEquals(0, s.maxRetries());
        assertEquals("default", s.userDomainId());
        assertNull(s.userDomainName());
        assertEquals("abc123", s.projectId());
    }

    @Test
    void identityUriNormalised() {
        assertEquals(URI.create("http://k:5000/v3"), KeystoneSettings.identityV3("http://k:5000"));
        assertEquals(URI.create("http://k:5000/v3"), KeystoneSettings.identityV3("http://k:5000/v3/"));
        assertEquals(URI.create("http://k:5000/v3"), KeystoneSettings.identityV3("http://k:5000/v2.0"));
        assertEquals(URI.create("http://k/identity/v3"), KeystoneSettings.identityV3("http://k/identity"));
    }

    @Test
    void refusesWhatItCannotHonour() {
        Config base = Config.parse(CINDER_CONF);
        assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.fromConfig(
                base.with("keystone_authtoken", "auth_type", "v3applicationcredential")));
        assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.fromConfig(
                base.with("keystone_authtoken", "insecure", "true")));
        assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.fromConfig(
                base.with("keystone_authtoken", "password", "")));
        assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.fromConfig(Config.empty()));
    }
}
