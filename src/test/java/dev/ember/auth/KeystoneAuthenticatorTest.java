package dev.ember.auth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** KeystoneAuthenticator against a WireMock Keystone speaking the v3 token API. */
class KeystoneAuthenticatorTest {

    private static final String PROJECT = "8d2c9a7e1b4f4e0a9c3d5f6a7b8c9d0e";
    private static final String OTHER_PROJECT = "1f2e3d4c5b6a79880a1b2c3d4e5f6a7b";
    private static final String PASSWORD = "s3cret-service-pw";
    private static final String MEMBER_TOKEN = "gAAAAABmMemberTokenXyZ0123456789abcdefMEMBER";
    private static final String ADMIN_TOKEN = "gAAAAABmAdminTokenXyZ0123456789abcdefADMIN";
    private static final String READER_TOKEN = "gAAAAABmReaderTokenXyZ0123456789abcdefREADER";
    private static final String SERVICE_TOKEN = "gAAAAABmServiceToken1";
    private static final String SERVICE_TOKEN_2 = "gAAAAABmServiceToken2";

    private WireMockServer keystone;
    private MutableClock clock;
    private ListAppender<ILoggingEvent> logs;
    private Logger authLogger;

    @BeforeEach
    void start() {
        keystone = new WireMockServer(options().dynamicPort());
        keystone.start();
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        // Root, so openstack4j's and the HTTP client's lines are checked too.
        authLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ((Logger) LoggerFactory.getLogger("dev.ember.auth")).setLevel(Level.DEBUG);
        logs = new ListAppender<>();
        logs.start();
        authLogger.addAppender(logs);
    }

    @AfterEach
    void stop() {
        keystone.stop();
        authLogger.detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("dev.ember.auth")).setLevel(null);
        // Whatever happened in the test, no secret may have reached a log line.
        for (ILoggingEvent e : logs.list) {
            String line = e.getFormattedMessage();
            for (String secret : new String[] {PASSWORD, MEMBER_TOKEN, ADMIN_TOKEN, READER_TOKEN,
                    SERVICE_TOKEN, SERVICE_TOKEN_2}) {
                assertFalse(line.contains(secret), "secret logged: " + line);
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------

    private KeystoneSettings settings(String authUrl, Duration cacheTime, int cacheSize, int retries) {
        return new KeystoneSettings(KeystoneSettings.identityV3(authUrl), authUrl, "cinder", PASSWORD,
                "Default", null, "service", null, "Default", null,
                cacheTime, cacheSize, Duration.ofSeconds(2), Duration.ofSeconds(5), retries, null);
    }

    private KeystoneAuthenticator authenticator() {
        return authenticator(Duration.ofSeconds(300));
    }

    private KeystoneAuthenticator authenticator(Duration cacheTime) {
        return new KeystoneAuthenticator(settings(keystone.baseUrl(), cacheTime, 100, 1), clock);
    }

    private void stubServiceToken(String id, Instant expires) {
        keystone.stubFor(post(urlEqualTo("/v3/auth/tokens"))
                .willReturn(aResponse().withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withHeader("X-Subject-Token", id)
                        .withBody(KeystoneTokens.body("svc-user-id", "cinder", "svc-project-id",
                                clock.instant(), expires, "admin", "service"))));
    }

    private void stubServiceToken() {
        stubServiceToken(SERVICE_TOKEN, clock.instant().plus(Duration.ofHours(1)));
    }

    private void stubUserToken(String serviceToken, String userToken, String userId, String project,
            Instant expires, String... roles) {
        keystone.stubFor(get(urlPathEqualTo("/v3/auth/tokens"))
                .withHeader("X-Auth-Token", equalTo(serviceToken))
                .withHeader("X-Subject-Token", equalTo(userToken))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withHeader("X-Subject-Token", userToken)
                        .withBody(KeystoneTokens.body(userId, "user-" + userId, project,
                                clock.instant(), expires, roles))));
    }

    private void stubUserToken(String userToken, String userId, Instant expires, String... roles) {
        stubUserToken(SERVICE_TOKEN, userToken, userId, PROJECT, expires, roles);
    }

    private Instant inOneHour() {
        return clock.instant().plus(Duration.ofHours(1));
    }

    private static Function<String, String> headers(Map<String, String> h) {
        return name -> h.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private static Function<String, String> token(String t) {
        return headers(Map.of("X-Auth-Token", t));
    }

    private int validations() {
        return keystone.countRequestsMatching(getRequestedFor(urlPathEqualTo("/v3/auth/tokens")).build()).getCount();
    }

    private int serviceLogins() {
        return keystone.countRequestsMatching(postRequestedFor(urlEqualTo("/v3/auth/tokens")).build()).getCount();
    }

    // --- tests ---------------------------------------------------------------------------

    @Test
    void memberTokenBecomesProjectMemberContext() throws Exception {
        stubServiceToken();
        stubUserToken(MEMBER_TOKEN, "u-member", inOneHour(), "member", "reader");

        RequestContext ctx = authenticator().authenticate(token(MEMBER_TOKEN));

        assertEquals("u-member", ctx.userId());
        assertEquals(PROJECT, ctx.projectId());
        assertEquals(Set.of("member", "reader"), ctx.roles());
        assertFalse(ctx.isAdmin());
        assertEquals(MEMBER_TOKEN, ctx.authToken());
        // The service user logged in with the [keystone_authtoken] identity, project-scoped.
        keystone.verify(1, postRequestedFor(urlEqualTo("/v3/auth/tokens"))
                .withRequestBody(matchingJsonPath("$.auth.identity.password.user.name", equalTo("cinder")))
                .withRequestBody(matchingJsonPath("$.auth.identity.password.user.domain.name", equalTo("Default")))
                .withRequestBody(matchingJsonPath("$.auth.scope.project.name", equalTo("service"))));
        keystone.verify(1, getRequestedFor(urlEqualTo("/v3/auth/tokens?nocatalog"))
                .withHeader("X-Auth-Token", equalTo(SERVICE_TOKEN))
                .withHeader("X-Subject-Token", equalTo(MEMBER_TOKEN)));
    }

    @Test
    void adminRoleMakesAdminContextAndRolesAreLowerCased() throws Exception {
        stubServiceToken();
        stubUserToken(SERVICE_TOKEN, ADMIN_TOKEN, "u-admin", OTHER_PROJECT, inOneHour(), "Admin", "member", "reader");

        RequestContext ctx = authenticator().authenticate(token(ADMIN_TOKEN));

        assertTrue(ctx.isAdmin());
        assertEquals(Set.of("admin", "member", "reader"), ctx.roles());
        assertEquals(OTHER_PROJECT, ctx.projectId());
    }

    @Test
    void readerTokenIsNotAdminAndPolicyRefusesCreate() throws Exception {
        stubServiceToken();
        stubUserToken(READER_TOKEN, "u-reader", inOneHour(), "reader");

        RequestContext ctx = authenticator().authenticate(token(READER_TOKEN));

        assertEquals(Set.of("reader"), ctx.roles());
        assertFalse(ctx.isAdmin());
        Policy policy = Policy.defaults();
        assertTrue(policy.check("backup:get_all", ctx));
        assertFalse(policy.check("backup:create", ctx));
    }

    @Test
    void storageTokenHeaderIsAcceptedAsFallback() throws Exception {
        stubServiceToken();
        stubUserToken(MEMBER_TOKEN, "u-member", inOneHour(), "member", "reader");

        RequestContext ctx = authenticator().authenticate(headers(Map.of("X-Storage-Token", " " + MEMBER_TOKEN + " ")));

        assertEquals("u-member", ctx.userId());
    }

    @Test
    void unknownOrRevokedTokenIsRefused() {
        stubServiceToken();
        // No stub matches this token: WireMock answers 404 as Keystone does for revoked tokens.
        AuthException e = assertThrows(AuthException.class,
                () -> authenticator().authenticate(token("gAAAAABmRevokedToken")));
        assertEquals(401, e.httpStatus());
        assertFalse(e instanceof KeystoneUnavailableException);
        assertEquals(1, validations());
    }

    @Test
    void revokedTokenIsAskedAboutAgainNextTime() {
        stubServiceToken();
        KeystoneAuthenticator auth = authenticator();
        assertThrows(AuthException.class, () -> auth.authenticate(token("gAAAAABmRevokedToken")));
        assertThrows(AuthException.class, () -> auth.authenticate(token("gAAAAABmRevokedToken")));
        assertEquals(2, validations());
    }

    @Test
    void tokenPastItsExpiryIsRefusedEvenIfKeystoneVouchesForIt() {
        stubServiceToken();
        stubUserToken(MEMBER_TOKEN, "u-member", clock.instant().minusSeconds(1), "member");

        AuthException e = assertThrows(AuthException.class, () -> authenticator().authenticate(token(MEMBER_TOKEN)));
        assertEquals(401, e.httpStatus());
    }

    @Test
    void cacheHitAvoidsSecondKeystoneCall() throws Exception {
        stubServiceToken();
        stubUserToken(MEMBER_TOKEN, "u-member", inOneHour(), "member", "reader");
        KeystoneAuthenticator auth = authenticator();

        RequestContext first = auth.authenticate(token(MEMBER_TOKEN));
        clock.advance(Duration.ofSeconds(299));
        RequestContext second = auth.authenticate(token(MEMBER_TOKEN));

        assertEquals(first, second);
        assertEquals(1, validations());
        assertEquals(1, serviceLogins());
    }

    @Test
    void cacheEntryExpiresAfterTokenCacheTime() throws Exception {
        stubServiceToken(SERVICE_TOKEN, clock.instant().plus(Duration.ofDays(1)));
        stubUserToken(MEMBER_TOKEN, "u-member", clock.instant().plus(Duration.ofHours(2)), "member");
        KeystoneAuthenticator auth = authenticator(Duration.ofSeconds(300));

        auth.authenticate(token(MEMBER_TOKEN));
        clock.advance(Duration.ofSeconds(300));
        auth.authenticate(token(MEMBER_TOKEN));

        assertEquals(2, validations());
    }

    @Test
    void cacheEntryNotUsedAfterTokenExpiresAt() throws Exception {
        stubServiceToken(SERVICE_TOKEN, clock.instant().plus(Duration.ofDays(1)));
        Instant expires = clock.instant().plus(Duration.ofSeconds(120));
        stubUserToken(MEMBER_TOKEN, "u-member", expires, "member");
        KeystoneAuthenticator auth = authenticator(Duration.ofSeconds(300));

        auth.authenticate(token(MEMBER_TOKEN));
        clock.advance(Duration.ofSeconds(120)); // within token_cache_time, but at expires_at
        assertThrows(AuthException.class, () -> auth.authenticate(token(MEMBER_TOKEN)));

        // The cache was bypassed: Keystone was asked again (and its answer, expired, refused).
        assertEquals(2, validations());
    }

    @Test
    void zeroCacheTimeDisablesCache() throws Exception {
        stubServiceToken();
        stubUserToken(MEMBER_TOKEN, "u-member", inOneHour(), "member");
        KeystoneAuthenticator auth = authenticator(Duration.ZERO);

        auth.authenticate(token(MEMBER_TOKEN));
        auth.authenticate(token(MEMBER_TOKEN));

        assertEquals(2, validations());
    }

    @Test
    void serviceTokenRenewedWhenKeystoneAnswers401() throws Exception {
        // First login yields token 1, which Keystone then no longer accepts; the second yields token 2.
        keystone.stubFor(post(urlEqualTo("/v3/auth/tokens")).inScenario("svc")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("renewed")
                .willReturn(aResponse().withStatus(201).withHeader("X-Subject-Token", SERVICE_TOKEN)
                        .withHeader("Content-Type", "application/json")
                        .withBody(KeystoneTokens.body("svc", "cinder", "svcp", clock.instant(), inOneHour(), "service"))));
        keystone.stubFor(post(urlEqualTo("/v3/auth/tokens")).inScenario("svc")
                .whenScenarioStateIs("renewed")
                .willReturn(aResponse().withStatus(201).withHeader("X-Subject-Token", SERVICE_TOKEN_2)
                        .withHeader("Content-Type", "application/json")
                        .withBody(KeystoneTokens.body("svc", "cinder", "svcp", clock.instant(), inOneHour(), "service"))));
        keystone.stubFor(get(urlPathEqualTo("/v3/auth/tokens")).withHeader("X-Auth-Token", equalTo(SERVICE_TOKEN))
                .willReturn(aResponse().withStatus(401)));
        stubUserToken(SERVICE_TOKEN_2, MEMBER_TOKEN, "u-member", PROJECT, inOneHour(), "member");

        RequestContext ctx = authenticator().authenticate(token(MEMBER_TOKEN));

        assertEquals("u-member", ctx.userId());
        assertEquals(2, serviceLogins());
        assertEquals(2, validations());
    }

    @Test
    void serviceTokenRenewedBeforeItExpires() throws Exception {
        stubServiceToken(SERVICE_TOKEN, clock.instant().plus(Duration.ofMinutes(10)));
        stubUserToken(MEMBER_TOKEN, "u-member", clock.instant().plus(Duration.ofDays(1)), "member");
        KeystoneAuthenticator auth = authenticator(Duration.ZERO);

        auth.authenticate(token(MEMBER_TOKEN));
        auth.authenticate(token(MEMBER_TOKEN));
        assertEquals(1, serviceLogins());

        clock.advance(Duration.ofMinutes(10));
        auth.authenticate(token(MEMBER_TOKEN));
        assertEquals(2, serviceLogins());
    }

    @Test
    void serviceTokenStillRejectedAfterRenewalIsUnavailableNot401() {
        stubServiceToken();
        keystone.stubFor(get(urlPathEqualTo("/v3/auth/tokens")).willReturn(aResponse().withStatus(401)));

        AuthException e = assertThrows(KeystoneUnavailableException.class,
                () -> authenticator().authenticate(token(MEMBER_TOKEN)));
        assertEquals(503, e.httpStatus());
        assertEquals(2, serviceLogins());
    }

    @Test
    void rejectedServiceCredentialsAreUnavailable() {
        keystone.stubFor(post(urlEqualTo("/v3/auth/tokens")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"code\": 401, \"title\": \"Unauthorized\","
                        + " \"message\": \"The request you have made requires authentication.\"}}")));

        KeystoneUnavailableException e = assertThrows(KeystoneUnavailableException.class,
                () -> authenticator().authenticate(token(MEMBER_TOKEN)));
        assertEquals(503, e.httpStatus());
    }

    @Test
    void keystoneServerErrorIsUnavailable() {
        stubServiceToken();
        keystone.stubFor(get(urlPathEqualTo("/v3/auth/tokens")).willReturn(aResponse().withStatus(503)));

        assertThrows(KeystoneUnavailableException.class, () -> authenticator().authenticate(token(MEMBER_TOKEN)));
    }

    @Test
    void keystoneDownIsUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        KeystoneAuthenticator auth = new KeystoneAuthenticator(
                settings("http://127.0.0.1:" + port, Duration.ofSeconds(300), 100, 1), clock);

        KeystoneUnavailableException e = assertThrows(KeystoneUnavailableException.class,
                () -> auth.authenticate(token(MEMBER_TOKEN)));
        assertEquals(503, e.httpStatus());
    }

    @Test
    void keystoneDownDuringValidationIsUnavailable() throws Exception {
        stubServiceToken();
        stubUserToken(MEMBER_TOKEN, "u-member", inOneHour(), "member");
        KeystoneAuthenticator auth = authenticator(Duration.ZERO);
        auth.authenticate(token(MEMBER_TOKEN));

        keystone.stop();

        assertThrows(KeystoneUnavailableException.class, () -> auth.authenticate(token(MEMBER_TOKEN)));
    }

    @Test
    void missingTokenIsAuthenticationRequiredWithoutAskingKeystone() {
        AuthException e = assertThrows(AuthException.class, () -> authenticator().authenticate(headers(Map.of())));
        assertEquals("Authentication required", e.getMessage());
        assertEquals(401, e.httpStatus());
        assertThrows(AuthException.class, () -> authenticator().authenticate(token("   ")));
        assertEquals(0, validations());
        assertEquals(0, serviceLogins());
    }

    @Test
    void malformedTokenIsRefusedWithoutAskingKeystone() {
        AuthException e = assertThrows(AuthException.class,
                () -> authenticator().authenticate(token("abc\r\nX-Injected: 1")));
        assertEquals(401, e.httpStatus());
        assertEquals(0, validations());
    }

    @Test
    void distinctTokensGetDistinctContexts() throws Exception {
        stubServiceToken();
        stubUserToken(MEMBER_TOKEN, "u-member", inOneHour(), "member", "reader");
        stubUserToken(READER_TOKEN, "u-reader", inOneHour(), "reader");
        KeystoneAuthenticator auth = authenticator();

        RequestContext m = auth.authenticate(token(MEMBER_TOKEN));
        RequestContext r = auth.authenticate(token(READER_TOKEN));
        RequestContext m2 = auth.authenticate(token(MEMBER_TOKEN));

        assertNotEquals(m.userId(), r.userId());
        assertEquals(m, m2);
        assertEquals(2, validations());
    }

    @Test
    void wwwAuthenticatePointsAtKeystone() {
        assertEquals("Keystone uri=\"" + keystone.baseUrl() + "\"", authenticator().wwwAuthenticate());
    }
}
