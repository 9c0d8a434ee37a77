package dev.ember.auth;

import dev.ember.config.Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code [keystone_authtoken]} options Ember honours, under keystonemiddleware's and
 * keystoneauth's own names so an existing cinder.conf works unchanged. Two options are Ember's
 * own: {@code http_request_timeout} (keystonemiddleware has no read timeout) and
 * {@code token_cache_size} (keystonemiddleware bounds its cache through memcached instead).
 *
 * @param identityUri Keystone v3 base used both to issue the service token and to validate
 *     user tokens, e.g. {@code http://keystone:5000/v3}
 * @param wwwAuthenticateUri advertised to clients in {@code WWW-Authenticate} on 401
 * @param tokenCacheTime how long a validated token may be reused; zero disables the cache
 * @param maxRetries extra attempts when Keystone cannot be connected to
 * @param cafile PEM bundle trusted for Keystone's TLS certificate, or null for the JVM default
 */
public record KeystoneSettings(
        URI identityUri,
        String wwwAuthenticateUri,
        String username,
        String password,
        String userDomainName,
        String userDomainId,
        String projectName,
        String projectId,
        String projectDomainName,
        String projectDomainId,
        Duration tokenCacheTime,
        int tokenCacheSize,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxRetries,
        Path cafile) {

    public static final String SECTION = "keystone_authtoken";

    // keystoneauth plugin names meaning "user name + password"; other plugins need other options.
    private static final Set<String> PASSWORD_PLUGINS = Set.of("password", "v3password");

    public KeystoneSettings {
        require(identityUri, "auth_url");
        require(username, "username");
        require(password, "password");
        if (isBlank(projectName) && isBlank(projectId)) {
            throw new IllegalArgumentException("[" + SECTION + "] project_name or project_id is required");
        }
        if (tokenCacheSize < 1) {
            throw new IllegalArgumentException("[" + SECTION + "] token_cache_size must be positive");
        }
    }

    public static KeystoneSettings fromConfig(Config config) {
        String authType = config.get(SECTION, "auth_type", "password").strip().toLowerCase(Locale.ROOT);
        if (!PASSWORD_PLUGINS.contains(authType)) {
            throw new IllegalArgumentException("[" + SECTION + "] auth_type = " + authType
                    + " is not supported; Ember authenticates its service user with auth_type = password");
        }
        if (config.getBool(SECTION, "insecure", false)) {
            // Refuse rather than silently verify anyway: the operator would only see 503s later.
            throw new IllegalArgumentException("[" + SECTION + "] insecure = true is not supported;"
                    + " point cafile at the CA bundle that signed Keystone's certificate");
        }
        String authUrl = config.get(SECTION, "auth_url", null);
        if (isBlank(authUrl)) {
            throw new IllegalArgumentException("[" + SECTION + "] auth_url is required");
        }
        // www_authenticate_uri replaced auth_uri; both fall back to where we authenticate.
        String www = firstNonBlank(config.get(SECTION, "www_authenticate_uri", null),
                config.get(SECTION, "auth_uri", null), authUrl);
        long cacheSeconds = config.getLong(SECTION, "token_cache_time", 300);
        String cafile = config.get(SECTION, "cafile", null);
        String userDomainId = config.get(SECTION, "user_domain_id", null);
        String projectDomainId = config.get(SECTION, "project_domain_id", null);
        return new KeystoneSettings(
                identityV3(authUrl),
                www,
                config.get(SECTION, "username", null),
                config.get(SECTION, "password", null),
                // keystoneauth needs a domain for names; install guides all say "Default".
                isBlank(userDomainId) ? config.get(SECTION, "user_domain_name", "Default") : null,
                blankToNull(userDomainId),
                blankToNull(config.get(SECTION, "project_name", null)),
                blankToNull(config.get(SECTION, "project_id", null)),
                isBlank(projectDomainId) ? config.get(SECTION, "project_domain_name", "Default") : null,
                blankToNull(projectDomainId),
                // keystonemiddleware: -1 disables caching.
                Duration.ofSeconds(Math.max(0, cacheSeconds)),
                config.getInt(SECTION, "token_cache_size", 10_000),
                Duration.ofSeconds(config.getLong(SECTION, "http_connect_timeout", 10)),
                Duration.ofSeconds(config.getLong(SECTION, "http_request_timeout", 30)),
                Math.max(0, config.getInt(SECTION, "http_request_max_retries", 3)),
                isBlank(cafile) ? null : Path.of(cafile.strip()));
    }

    /** {@code http://k:5000}, {@code http://k:5000/}, {@code http://k:5000/v3} → {@code http://k:5000/v3}. */
    static URI identityV3(String authUrl) {
        String u = authUrl.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (u.endsWith("/v2.0")) {
            u = u.substring(0, u.length() - "/v2.0".length());
        }
        if (!u.endsWith("/v3")) {
            u = u + "/v3";
        }
        return URI.create(u);
    }

    /** Value of the {@code WWW-Authenticate} header keystonemiddleware sends with a 401. */
    public String wwwAuthenticateHeader() {
        return "Keystone uri=\"" + wwwAuthenticateUri + "\"";
    }

    // A record's generated toString would print the password into any log line that shows us.
    @Override
    public String toString() {
        return "KeystoneSettings[identityUri=" + identityUri + ", username=" + username
                + ", password=***, project=" + (projectId != null ? projectId : projectName)
                + ", tokenCacheTime=" + tokenCacheTime + ", tokenCacheSize=" + tokenCacheSize
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", maxRetries=" + maxRetries + ", cafile=" + cafile + "]";
    }

    private static void require(Object value, String option) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw new IllegalArgumentException("[" + SECTION + "] " + option + " is required");
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String blankToNull(String s) {
        return isBlank(s) ? null : s.strip();
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (!isBlank(v)) {
                return v.strip();
            }
        }
        return null;
    }
}
