package dev.ember.auth;

/**
 * cinder's PolicyNotAuthorized: answered 403 {@code forbidden}. Unchecked because policy checks sit
 * inside request handlers (lambdas) and the API's fault mapper turns it into the envelope.
 */
public final class PolicyNotAuthorizedException extends RuntimeException {
    private final String rule;

    public PolicyNotAuthorizedException(String rule) {
        // Exact text of cinder.exception.PolicyNotAuthorized: clients and tests compare it.
        super("Policy doesn't allow " + rule + " to be performed.");
        this.rule = rule;
    }

    public String rule() {
        return rule;
    }

    public int httpStatus() {
        return 403;
    }
}
