package dev.ember.auth;

import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One policy decision in progress: the target, the caller's credentials, and named rules. */
final class PolicyEvaluation {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyEvaluation.class);

    // A policy.yaml can make rules refer to each other in a loop; deny instead of overflowing.
    private static final int MAX_DEPTH = 32;

    private final Map<String, Object> target;
    private final Map<String, Object> creds;
    private final Function<String, PolicyCheck> rules;
    private int depth;

    PolicyEvaluation(Map<String, Object> target, Map<String, Object> creds, Function<String, PolicyCheck> rules) {
        this.target = target;
        this.creds = creds;
        this.rules = rules;
    }

    Map<String, Object> target() {
        return target;
    }

    Map<String, Object> creds() {
        return creds;
    }

    boolean rule(String name) {
        PolicyCheck check = rules.apply(name);
        if (check == null) {
            return false;
        }
        if (depth >= MAX_DEPTH) {
            LOG.error("Policy rule {} nests deeper than {} levels (a loop?); denying", name, MAX_DEPTH);
            return false;
        }
        depth++;
        try {
            return check.test(this);
        } finally {
            depth--;
        }
    }
}
