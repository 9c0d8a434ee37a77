package dev.ember.auth;

import java.util.Map;
import java.util.Optional;

/**
 * The bits of Python that oslo.policy checks rely on: {@code "%(name)s" % target} and str(),
 * whose spelling of booleans and None ("True", "None") policy files compare against.
 */
final class PyFormat {

    private PyFormat() {}

    /** Substitutes {@code %(key)s} from the target; empty when a key is missing (oslo: KeyError → deny). */
    static Optional<String> interpolate(String template, Map<String, Object> target) {
        if (template.indexOf('%') < 0) {
            return Optional.of(template);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
            } else if (template.startsWith("%%", i)) {
                out.append('%');
                i += 2;
            } else if (template.startsWith("%(", i)) {
                int close = template.indexOf(")s", i);
                if (close < 0) {
                    return Optional.empty();
                }
                String key = template.substring(i + 2, close);
                if (!target.containsKey(key)) {
                    return Optional.empty();
                }
                out.append(str(target.get(key)));
                i = close + 2;
            } else {
                // Any other conversion would raise in Python; the check cannot pass.
                return Optional.empty();
            }
        }
        return Optional.of(out.toString());
    }

    static String str(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return value.toString();
    }
}
