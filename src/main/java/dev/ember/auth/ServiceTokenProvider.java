package dev.ember.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.client.IOSClientBuilder;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ember's own Keystone token (the {@code [keystone_authtoken]} service user), needed as
 * {@code X-Auth-Token} to validate user tokens. Obtained with openstack4j's password
 * authentication; reused until shortly before it expires or until Keystone rejects it.
 */
public final class ServiceTokenProvider {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceTokenProvider.class);

    // Renew this long before expiry so a token never dies between our check and Keystone's.
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(60);

    private record ServiceToken(String id, Instant expiresAt) {}

    private final KeystoneSettings settings;
    private final Clock clock;
    private final org.openstack4j.core.transport.Config httpConfig;
    private ServiceToken current; // guarded by this

    public ServiceTokenProvider(KeystoneSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        org.openstack4j.core.transport.Config c = org.openstack4j.core.transport.Config.newConfig()
                .withConnectionTimeout(Math.toIntExact(settings.connectTimeout().toMillis()))
                .withReadTimeout(Math.toIntExact(settings.requestTimeout().toMillis()));
        if (settings.cafile() != null) {
            c = c.withSSLContext(KeystoneTls.sslContext(settings.cafile()));
        }
        this.httpConfig = c;
    }

    /** A service token believed valid; issues one when there is none or it is about to expire. */
    public synchronized String get() throws KeystoneUnavailableException {
        if (current == null || !clock.instant().isBefore(current.expiresAt().minus(EXPIRY_MARGIN))) {
            current = issue();
        }
        return current.id();
    }

    /**
     * Keystone answered 401 for {@code rejected}: forget it and issue a new one. When another
     * thread already replaced it, its replacement is returned instead of issuing yet another.
     */
    synchronized String renew(String rejected) throws KeystoneUnavailableException {
        if (current != null && current.id().equals(rejected)) {
            current = null;
        }
        return get();
    }

    private ServiceToken issue() throws KeystoneUnavailableException {
        for (int attempt = 0; ; attempt++) {
            try {
                OSClientV3 os = builder().authenticate();
                Token t = os.getToken();
                if (t == null || t.getId() == null || t.getId().isEmpty()) {
                    throw new KeystoneUnavailableException("Keystone issued no service token");
                }
                // No expiry given: keep it until Keystone answers 401 for it.
                Instant expires = t.getExpires() == null ? Instant.MAX : t.getExpires().toInstant();
                LOG.info("Obtained Keystone service token for user {} (expires {})", settings.username(), expires);
                return new ServiceToken(t.getId(), expires);
            } catch (ConnectionException e) {
                if (attempt >= settings.maxRetries()) {
                    // Only the class and status: openstack4j messages may echo request details.
                    LOG.error("Cannot reach Keystone at {} to obtain the service token", settings.identityUri());
                    throw new KeystoneUnavailableException("The Keystone service is temporarily unavailable.", e);
                }
            } catch (AuthenticationException e) {
                LOG.error("Keystone refused the [keystone_authtoken] credentials of user {} (HTTP {})",
                        settings.username(), e.getStatus());
                throw new KeystoneUnavailableException("Keystone refused Ember's service credentials", e);
            } catch (ResponseException e) {
                LOG.error("Keystone failed to issue the service token (HTTP {})", e.getStatus());
                throw new KeystoneUnavailableException("The Keystone service is temporarily unavailable.", e);
            } catch (RuntimeException e) {
                LOG.error("Failed to obtain the Keystone service token: {}", e.getClass().getName());
                throw new KeystoneUnavailableException("The Keystone service is temporarily unavailable.", e);
            }
        }
    }

    private IOSClientBuilder.V3 builder() {
        Identifier userDomain = settings.userDomainId() != null
                ? Identifier.byId(settings.userDomainId())
                : Identifier.byName(settings.userDomainName());
        IOSClientBuilder.V3 b = OSFactory.builderV3()
                .endpoint(settings.identityUri().toString())
                .credentials(settings.username(), settings.password(), userDomain)
                .withConfig(httpConfig);
        if (settings.projectId() != null) {
            return b.scopeToProject(Identifier.byId(settings.projectId()));
        }
        Identifier projectDomain = settings.projectDomainId() != null
                ? Identifier.byId(settings.projectDomainId())
                : Identifier.byName(settings.projectDomainName());
        return b.scopeToProject(Identifier.byName(settings.projectName()), projectDomain);
    }
}
