package dev.ember.auth;

import dev.ember.config.Config;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cinder's {@code auth_strategy = keystone}: what keystonemiddleware's auth_token filter does in
 * front of cinder-api. The user token is validated against Keystone (with Ember's own service
 * token), cached for a while, and turned into a {@link RequestContext}.
 *
 * <p>Failures: no token or a token Keystone does not accept → {@link AuthException} (401);
 * Keystone unreachable or misbehaving → {@link KeystoneUnavailableException} (503). Tokens and
 * passwords are never logged; log lines identify a token by a prefix of its SHA-256.
 */
public final class KeystoneAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);

    // keystonemiddleware answers every authentication failure with one message; so do we, so the
    // answer tells a caller nothing about why a token was refused.
    static final String AUTH_REQUIRED = "Authentication required";

    private final KeystoneSettings settings;
    private final Clock clock;
    private final TokenCache cache;
    private final KeystoneTokenValidator validator;

    public KeystoneAuthenticator(KeystoneSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** @param clock decides token and cache expiry; tests move it forward */
    public KeystoneAuthenticator(KeystoneSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.cache = new TokenCache(settings.tokenCacheSize(), settings.tokenCacheTime(), clock);
        this.validator = new KeystoneTokenValidator(settings, new ServiceTokenProvider(settings, clock));
    }

    /** From cinder.conf's {@code [keystone_authtoken]}; IllegalArgumentException names a bad option. */
    public static KeystoneAuthenticator fromConfig(Config config) {
        return new KeystoneAuthenticator(KeystoneSettings.fromConfig(config));
    }

    /** {@code WWW-Authenticate} value for 401 answers, pointing clients at Keystone. */
    public String wwwAuthenticate() {
        return settings.wwwAuthenticateHeader();
    }

    @Override
    public RequestContext authenticate(Function<String, String> header) throws AuthException {
        String token = userToken(header);
        if (token == null) {
            throw new AuthException(AUTH_REQUIRED);
        }
        if (!wellFormed(token)) {
            // Would be refused by Keystone anyway, and cannot be put in an HTTP header safely.
            LOG.info("Refusing malformed token");
            throw new AuthException(AUTH_REQUIRED);
        }
        Optional<ValidatedToken> cached = cache.get(token);
        if (cached.isPresent()) {
            return cached.get().toContext(token);
        }
        Optional<ValidatedToken> validated = validator.validate(token);
        if (validated.isEmpty()) {
            LOG.info("Keystone does not accept token {}", TokenCache.logId(token));
            throw new AuthException(AUTH_REQUIRED);
        }
        ValidatedToken v = validated.get();
        if (v.isExpiredAt(clock.instant())) {
            // keystonemiddleware re-checks expires_at itself rather than trusting the answer.
            LOG.info("Token {} expired at {}", TokenCache.logId(token), v.expiresAt());
            throw new AuthException(AUTH_REQUIRED);
        }
        cache.put(token, v);
        return v.toContext(token);
    }

    // keystonemiddleware reads X-Auth-Token, falling back to the Swift-era X-Storage-Token, and
    // strips surrounding whitespace some clients add.
    private static String userToken(Function<String, String> header) {
        for (String name : new String[] {"X-Auth-Token", "X-Storage-Token"}) {
            String v = header.apply(name);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    // Fernet and JWS tokens are short printable ASCII; anything else is not a Keystone token.
    private static boolean wellFormed(String token) {
        if (token.length() > 8192) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
