package dev.ember.auth;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed oslo.policy check string. Each kind evaluates as oslo.policy's _checks module does, so
 * an operator's policy.yaml means the same to Ember as to cinder.
 */
sealed interface PolicyCheck {

    boolean test(PolicyEvaluation ev);

    /** {@code @} (and the empty string) always passes; {@code !} never does. */
    record Constant(boolean value) implements PolicyCheck {
        public boolean test(PolicyEvaluation ev) {
            return value;
        }
    }

    record And(List<PolicyCheck> parts) implements PolicyCheck {
        public boolean test(PolicyEvaluation ev) {
            return parts.stream().allMatch(p -> p.test(ev));
        }
    }

    record Or(List<PolicyCheck> parts) implements PolicyCheck {
        public boolean test(PolicyEvaluation ev) {
            return parts.stream().anyMatch(p -> p.test(ev));
        }
    }

    record Not(PolicyCheck inner) implements PolicyCheck {
        public boolean test(PolicyEvaluation ev) {
            return !inner.test(ev);
        }
    }

    /** {@code role:X}: the caller holds role X, compared case-insensitively. */
    record Role(String match) implements PolicyCheck {
        public boolean test(PolicyEvaluation ev) {
            Optional<String> role = PyFormat.interpolate(match, ev.target());
            if (role.isEmpty() || !(ev.creds().get("roles") instanceof Collection<?> roles)) {
                return false;
            }
            String wanted = role.get().toLowerCase(Locale.ROOT);
            return roles.stream().anyMatch(r -> String.valueOf(r).toLowerCase(Locale.ROOT).equals(wanted));
        }
    }

    /** {@code rule:Y}: another named rule; an undefined one fails closed. */
    record Rule(String name) implements PolicyCheck {
        public boolean test(PolicyEvaluation ev) {
            return ev.rule(name);
        }
    }

    /**
     * Any other {@code kind:match}, e.g. {@code project_id:%(project_id)s} or {@code is_admin:True}:
     * the match (after substituting the target) equals Python's str() of the credential named by
     * {@code kind}; or, when {@code kind} is itself a literal ({@code True}, {@code 'x'}, 42), of it.
     */
    record Generic(String kind, String match) implements PolicyCheck {
        private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");

        public boolean test(PolicyEvaluation ev) {
            Optional<String> m = PyFormat.interpolate(match, ev.target());
            if (m.isEmpty()) {
                return false;
            }
            Optional<String> literal = literal(kind);
            if (literal.isPresent()) {
                return m.get().equals(literal.get());
            }
            return find(ev.creds(), List.of(kind.split("\\.", -1)), m.get());
        }

        // The subset of ast.literal_eval that can appear in a check kind.
        private static Optional<String> literal(String kind) {
            if (kind.equals("True") || kind.equals("False") || kind.equals("None")) {
                return Optional.of(kind);
            }
            if (kind.length() >= 2 && (kind.startsWith("'") && kind.endsWith("'")
                    || kind.startsWith("\"") && kind.endsWith("\""))) {
                return Optional.of(kind.substring(1, kind.length() - 1));
            }
            if (INTEGER.matcher(kind).matches()) {
                return Optional.of(kind);
            }
            return Optional.empty();
        }

        // oslo's _find_in_dict: walk dotted keys; a list matches when any element does.
        private static boolean find(Object value, List<String> path, String match) {
            if (value instanceof Collection<?> list) {
                return list.stream().anyMatch(v -> find(v, path, match));
            }
            if (path.isEmpty()) {
                return match.equals(PyFormat.str(value));
            }
            if (!(value instanceof Map<?, ?> map) || !map.containsKey(path.get(0))) {
                return false;
            }
            return find(map.get(path.get(0)), path.subList(1, path.size()), match);
        }
    }
}
