package dev.ember.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses oslo.policy's check-string language: checks ({@code role:X}, {@code rule:Y},
 * {@code kind:match}, {@code @}, {@code !}) combined with {@code not}, {@code and}, {@code or}
 * (that precedence, as oslo's reducer gives) and parentheses. Tokens are split on whitespace with
 * parentheses peeled off their ends, exactly as oslo tokenizes, so
 * {@code project_id:%(project_id)s} keeps its inner parentheses.
 */
final class CheckStringParser {

    private static final Logger LOG = LoggerFactory.getLogger(CheckStringParser.class);

    private enum Kind { LPAREN, RPAREN, AND, OR, NOT, CHECK }

    private record Token(Kind kind, String text) {}

    private final String source;
    private final List<Token> tokens;
    private int pos;

    private CheckStringParser(String source) {
        this.source = source;
        this.tokens = tokenize(source);
    }

    /** @throws IllegalArgumentException when the string is not a well-formed expression */
    static PolicyCheck parse(String checkString) {
        if (checkString == null || checkString.isBlank()) {
            return new PolicyCheck.Constant(true); // oslo: the empty rule always passes
        }
        CheckStringParser p = new CheckStringParser(checkString);
        PolicyCheck result = p.orExpr();
        if (p.pos != p.tokens.size()) {
            throw p.error("unexpected '" + p.tokens.get(p.pos).text() + "'");
        }
        return result;
    }

    private PolicyCheck orExpr() {
        List<PolicyCheck> parts = new ArrayList<>(List.of(andExpr()));
        while (accept(Kind.OR)) {
            parts.add(andExpr());
        }
        return parts.size() == 1 ? parts.get(0) : new PolicyCheck.Or(List.copyOf(parts));
    }

    private PolicyCheck andExpr() {
        List<PolicyCheck> parts = new ArrayList<>(List.of(notExpr()));
        while (accept(Kind.AND)) {
            parts.add(notExpr());
        }
        return parts.size() == 1 ? parts.get(0) : new PolicyCheck.And(List.copyOf(parts));
    }

    private PolicyCheck notExpr() {
        if (accept(Kind.NOT)) {
            return new PolicyCheck.Not(notExpr());
        }
        return atom();
    }

    private PolicyCheck atom() {
        if (pos >= tokens.size()) {
            throw error("unexpected end");
        }
        Token t = tokens.get(pos++);
        if (t.kind() == Kind.LPAREN) {
            PolicyCheck inner = orExpr();
            if (!accept(Kind.RPAREN)) {
                throw error("missing ')'");
            }
            return inner;
        }
        if (t.kind() != Kind.CHECK) {
            throw error("unexpected '" + t.text() + "'");
        }
        return check(t.text());
    }

    private PolicyCheck check(String text) {
        if (text.equals("@")) {
            return new PolicyCheck.Constant(true);
        }
        if (text.equals("!")) {
            return new PolicyCheck.Constant(false);
        }
        if (text.length() >= 2 && (text.startsWith("'") && text.endsWith("'")
                || text.startsWith("\"") && text.endsWith("\""))) {
            throw error("a quoted string is not a check: " + text);
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            // oslo logs and fails closed for this single check, not the whole rule.
            LOG.error("Policy check '{}' in '{}' has no 'kind:'; it never passes", text, source);
            return new PolicyCheck.Constant(false);
        }
        String kind = text.substring(0, colon);
        String match = text.substring(colon + 1);
        return switch (kind) {
            case "role" -> new PolicyCheck.Role(match);
            case "rule" -> new PolicyCheck.Rule(match);
            case "http", "https" -> {
                // Remote HTTP checks would let a policy file make Ember call arbitrary URLs.
                LOG.error("Policy check '{}' (remote HTTP check) is not supported; it never passes", text);
                yield new PolicyCheck.Constant(false);
            }
            default -> new PolicyCheck.Generic(kind, match);
        };
    }

    private boolean accept(Kind kind) {
        if (pos < tokens.size() && tokens.get(pos).kind() == kind) {
            pos++;
            return true;
        }
        return false;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("Invalid policy check string '" + source + "': " + what);
    }

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        for (String raw : s.strip().split("\\s+")) {
            String tok = raw;
            while (tok.startsWith("(")) {
                out.add(new Token(Kind.LPAREN, "("));
                tok = tok.substring(1);
            }
            int trailing = 0;
            while (tok.endsWith(")")) {
                trailing++;
                tok = tok.substring(0, tok.length() - 1);
            }
            if (!tok.isEmpty()) {
                switch (tok.toLowerCase(Locale.ROOT)) {
                    case "and" -> out.add(new Token(Kind.AND, tok));
                    case "or" -> out.add(new Token(Kind.OR, tok));
                    case "not" -> out.add(new Token(Kind.NOT, tok));
                    default -> out.add(new Token(Kind.CHECK, tok));
                }
            }
            for (int i = 0; i < trailing; i++) {
                out.add(new Token(Kind.RPAREN, ")"));
            }
        }
        return out;
    }
}
