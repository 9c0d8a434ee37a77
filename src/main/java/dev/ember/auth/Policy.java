package dev.ember.auth;

import dev.ember.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cinder's policy enforcement for the backup API: {@link PolicyDefaults} plus the operator's
 * policy.yaml overrides, evaluated with oslo.policy's semantics. Immutable and thread-safe.
 */
public final class Policy {

    private static final Logger LOG = LoggerFactory.getLogger(Policy.class);

    private final Map<String, PolicyCheck> rules;

    private Policy(Map<String, PolicyCheck> rules) {
        this.rules = Collections.unmodifiableMap(rules);
    }

    /** cinder's defaults, as with {@code enforce_new_defaults = true} and no policy file. */
    public static Policy defaults() {
        return of(Map.of(), true);
    }

    /**
     * @param overrides rule name → check string, as in policy.yaml; replaces or adds rules
     * @param enforceNewDefaults {@code [oslo_policy] enforce_new_defaults}: when false, a rule that
     *     is not overridden also passes on its pre-Xena default (e.g. any project user may create)
     */
    public static Policy of(Map<String, String> overrides, boolean enforceNewDefaults) {
        Map<String, PolicyCheck> rules = new LinkedHashMap<>();
        PolicyDefaults.RULES.forEach((name, check) -> rules.put(name, CheckStringParser.parse(check)));
        if (!enforceNewDefaults) {
            PolicyDefaults.DEPRECATED.forEach((name, old) -> {
                if (!overrides.containsKey(name)) {
                    rules.put(name, new PolicyCheck.Or(List.of(rules.get(name), CheckStringParser.parse(old))));
                }
            });
        }
        overrides.forEach((name, check) -> rules.put(name, parseOverride(name, check)));
        return new Policy(rules);
    }

    /** Defaults overridden by a policy.yaml (or policy.json) file. */
    public static Policy load(Path policyFile, boolean enforceNewDefaults) throws IOException {
        return of(PolicyFile.read(policyFile), enforceNewDefaults);
    }

    /**
     * From {@code [oslo_policy] policy_file} (default {@code policy.yaml}) and
     * {@code enforce_new_defaults} (default true). A relative policy_file is looked up in
     * {@code searchDirs} (normally the directories of the configuration files), as oslo.config
     * does; when none holds it, the defaults apply.
     */
    public static Policy fromConfig(Config config, List<Path> searchDirs) throws IOException {
        boolean newDefaults = config.getBool("oslo_policy", "enforce_new_defaults", true);
        String name = config.get("oslo_policy", "policy_file", "policy.yaml").strip();
        List<Path> candidates = new ArrayList<>();
        Path p = Path.of(name);
        if (p.isAbsolute()) {
            candidates.add(p);
        } else {
            searchDirs.forEach(d -> candidates.add(d.resolve(p)));
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                LOG.info("Loading policy overrides from {}", c);
                return load(c, newDefaults);
            }
        }
        LOG.info("No policy file {} found; using cinder's default backup policies", name);
        return of(Map.of(), newDefaults);
    }

    /** Names of all rules known (defaults and overrides). */
    public Set<String> ruleNames() {
        return rules.keySet();
    }

    /** As cinder's context.authorize without a target: the caller's own project and user. */
    public boolean check(String rule, RequestContext ctx) {
        return check(rule, ctx, defaultTarget(ctx));
    }

    /**
     * @param target attributes of the object acted on, e.g. the backup's {@code project_id} and
     *     {@code user_id}; referenced by {@code %(name)s} in check strings
     * @throws IllegalArgumentException for a rule name nobody defined (a programming error;
     *     oslo.policy raises PolicyNotRegistered)
     */
    public boolean check(String rule, RequestContext ctx, Map<String, ?> target) {
        PolicyCheck check = rules.get(rule);
        if (check == null) {
            throw new IllegalArgumentException("Policy rule " + rule + " is not registered");
        }
        return check.test(new PolicyEvaluation(new HashMap<>(target), credentials(ctx), rules::get));
    }

    public void enforce(String rule, RequestContext ctx) {
        enforce(rule, ctx, defaultTarget(ctx));
    }

    /** @throws PolicyNotAuthorizedException with cinder's message when the rule does not pass */
    public void enforce(String rule, RequestContext ctx, Map<String, ?> target) {
        if (!check(rule, ctx, target)) {
            throw new PolicyNotAuthorizedException(rule);
        }
    }

    /**
     * The target cinder builds from an object ({@code target_obj}): its {@code project_id} and
     * {@code user_id}, either of which may be null.
     */
    public static Map<String, Object> target(String projectId, String userId) {
        Map<String, Object> t = new HashMap<>();
        t.put("project_id", projectId);
        t.put("user_id", userId);
        return t;
    }

    // cinder's RequestContext.authorize default target.
    private static Map<String, Object> defaultTarget(RequestContext ctx) {
        Map<String, Object> t = new HashMap<>();
        t.put("project_id", ctx.projectId());
        t.put("user_id", ctx.userId());
        return t;
    }

    // What cinder's context.to_policy_values() offers to checks. Ember has no admin-project or
    // system-scope notion: is_admin_project is True as keystonemiddleware reports when Keystone
    // has no admin project configured, and system_scope is None so "system_scope:all" never passes.
    private static Map<String, Object> credentials(RequestContext ctx) {
        Map<String, Object> c = new HashMap<>();
        c.put("user_id", ctx.userId());
        c.put("project_id", ctx.projectId());
        c.put("roles", List.copyOf(ctx.roles()));
        c.put("is_admin", ctx.isAdmin());
        c.put("is_admin_project", Boolean.TRUE);
        c.put("system_scope", null);
        c.put("domain_id", null);
        return c;
    }

    // oslo.policy denies (and logs) a rule it cannot parse instead of refusing to start; so do we,
    // so a policy file cinder accepted never stops Ember.
    private static PolicyCheck parseOverride(String name, String check) {
        try {
            return CheckStringParser.parse(check);
        } catch (IllegalArgumentException e) {
            LOG.error("Policy rule {}: {}; the rule will deny every request", name, e.getMessage());
            return new PolicyCheck.Constant(false);
        }
    }
}
