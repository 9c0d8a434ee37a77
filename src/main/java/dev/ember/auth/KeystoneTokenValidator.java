package dev.ember.auth;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Keystone about one user token: {@code GET /v3/auth/tokens?nocatalog} with the service
 * token in {@code X-Auth-Token} and the user token in {@code X-Subject-Token}.
 *
 * <p>Plain java.net.http rather than openstack4j's TokenService: openstack4j keeps its session in
 * a thread-local, resolves the identity endpoint through the catalog, and folds 401/404/connection
 * failures together, while here each of those needs a different answer (renew the service token,
 * refuse the user, answer 503).
 */
final class KeystoneTokenValidator {

    private static final Logger LOG = LoggerFactory.getLogger(KeystoneTokenValidator.class);

    private final KeystoneSettings settings;
    private final ServiceTokenProvider serviceTokens;
    private final HttpClient http;
    private final URI validateUri;

    KeystoneTokenValidator(KeystoneSettings settings, ServiceTokenProvider serviceTokens) {
        this.settings = settings;
        this.serviceTokens = serviceTokens;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                // Cleartext HTTP/2 upgrade headers confuse some WSGI front ends Keystone runs behind.
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(KeystoneTls.sslContext(settings.cafile()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        // keystonemiddleware asks for no catalog too: Ember never uses it and it is large.
        this.validateUri = URI.create(settings.identityUri() + "/auth/tokens?nocatalog");
    }

    /**
     * @return the token's identity, or empty when Keystone does not know the token (404:
     *     malformed, expired or revoked)
     * @throws KeystoneUnavailableException when Keystone cannot give an answer
     */
    Optional<ValidatedToken> validate(String userToken) throws KeystoneUnavailableException {
        String serviceToken = serviceTokens.get();
        HttpResponse<String> resp = send(serviceToken, userToken);
        if (resp.statusCode() == 401) {
            // Our service token expired early or was revoked: renew once, as keystonemiddleware does.
            LOG.info("Keystone rejected the service token; renewing it");
            resp = send(serviceTokens.renew(serviceToken), userToken);
        }
        int status = resp.statusCode();
        if (status == 200) {
            return Optional.of(TokenBodyParser.parse(resp.body()));
        }
        if (status == 404) {
            return Optional.empty();
        }
        // 401 again, 403 (service user may not validate) or 5xx: nothing the caller did wrong.
        LOG.error("Keystone answered HTTP {} when validating token {}", status, TokenCache.logId(userToken));
        throw new KeystoneUnavailableException("The Keystone service is temporarily unavailable.");
    }

    private HttpResponse<String> send(String serviceToken, String userToken) throws KeystoneUnavailableException {
        HttpRequest req = HttpRequest.newBuilder(validateUri)
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json")
                .header("X-Auth-Token", serviceToken)
                .header("X-Subject-Token", userToken)
                .GET()
                .build();
        for (int attempt = 0; ; attempt++) {
            try {
                return http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                // Only connection failures are retried: the request never reached Keystone, and a
                // read timeout retried would multiply the caller's wait.
                if (attempt >= settings.maxRetries()) {
                    LOG.error("Cannot reach Keystone at {}: {}", settings.identityUri(), e.getClass().getSimpleName());
                    throw new KeystoneUnavailableException("The Keystone service is temporarily unavailable.", e);
                }
                pause(attempt);
            } catch (IOException e) {
                LOG.error("Token validation at {} failed: {}", settings.identityUri(), e.getClass().getSimpleName());
                throw new KeystoneUnavailableException("The Keystone service is temporarily unavailable.", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KeystoneUnavailableException("Interrupted while validating the token", e);
            }
        }
    }

    private static void pause(int attempt) throws KeystoneUnavailableException {
        try {
            Thread.sleep(100L * (attempt + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeystoneUnavailableException("Interrupted while validating the token", e);
        }
    }
}
