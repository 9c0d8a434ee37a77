package dev.ember.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {

    private static final String P1 = "p1";
    private static final Map<String, String> TARGET = Map.of("project_id", P1, "user_id", "owner");

    /** Callers as Keystone (with its admin ⇒ member ⇒ reader implied roles) would describe them. */
    static RequestContext persona(String name) {
        return switch (name) {
            case "admin" -> new RequestContext("u-admin", "admin-project", Set.of("admin", "member", "reader"), true, "t");
            case "member" -> new RequestContext("u-member", P1, Set.of("member", "reader"), false, "t");
            case "memberOnly" -> new RequestContext("u-mo", P1, Set.of("member"), false, "t");
            case "reader" -> new RequestContext("u-reader", P1, Set.of("reader"), false, "t");
            case "foreignMember" -> new RequestContext("u-fm", "p2", Set.of("member", "reader"), false, "t");
            case "foreignReader" -> new RequestContext("u-fr", "p2", Set.of("reader"), false, "t");
            case "noRole" -> new RequestContext("u-none", P1, Set.of(), false, "t");
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}: admin={1} member={2} memberOnly={3} reader={4} foreignMember={5} foreignReader={6} noRole={7}")
    @CsvSource({
        "backup:get_all,                                       true, true,  true,  true,  false, false, false",
        "backup:get,                                           true, true,  true,  true,  false, false, false",
        "backup:create,                                        true, true,  true,  false, false, false, false",
        "backup:update,                                        true, true,  true,  false, false, false, false",
        "backup:delete,                                        true, true,  true,  false, false, false, false",
        "backup:restore,                                       true, true,  true,  false, false, false, false",
        "backup:backup-import,                                 true, false, false, false, false, false, false",
        "backup:export-import,                                 true, false, false, false, false, false, false",
        "backup:backup_project_attribute,                      true, false, false, false, false, false, false",
        "volume_extension:backup_admin_actions:reset_status,   true, false, false, false, false, false, false",
        "volume_extension:backup_admin_actions:force_delete,   true, false, false, false, false, false, false",
    })
    void defaultPolicyTable(String rule, boolean admin, boolean member, boolean memberOnly, boolean reader,
            boolean foreignMember, boolean foreignReader, boolean noRole) {
        Policy policy = Policy.defaults();
        Map<String, Boolean> expected = Map.of("admin", admin, "member", member, "memberOnly", memberOnly,
                "reader", reader, "foreignMember", foreignMember, "foreignReader", foreignReader, "noRole", noRole);
        expected.forEach((who, allowed) ->
                assertEquals(allowed, policy.check(rule, persona(who), TARGET), rule + " for " + who));
    }

    @Test
    void enforceWithoutTargetUsesCallersProject() {
        Policy policy = Policy.defaults();
        assertDoesNotThrow(() -> policy.enforce("backup:get_all", persona("reader")));
        assertDoesNotThrow(() -> policy.enforce("backup:create", persona("foreignMember")));
    }

    @Test
    void refusalCarriesCinderMessage() {
        PolicyNotAuthorizedException e = assertThrows(PolicyNotAuthorizedException.class,
                () -> Policy.defaults().enforce("backup:create", persona("reader"), TARGET));
        assertEquals("Policy doesn't allow backup:create to be performed.", e.getMessage());
        assertEquals("backup:create", e.rule());
        assertEquals(403, e.httpStatus());

        e = assertThrows(PolicyNotAuthorizedException.class, () -> Policy.defaults()
                .enforce("volume_extension:backup_admin_actions:force_delete", persona("member"), TARGET));
        assertEquals("Policy doesn't allow volume_extension:backup_admin_actions:force_delete to be performed.",
                e.getMessage());
    }

    @Test
    void noAuthCallersAreAdmins() throws Exception {
        RequestContext ctx = new NoAuthAuthenticator().authenticate(h -> "alice:p9");
        Policy policy = Policy.defaults();
        assertTrue(policy.check("backup:backup-import", ctx));
        assertTrue(policy.check("backup:get", ctx, TARGET));
    }

    @Test
    void unknownRuleIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> Policy.defaults().check("backup:frobnicate", persona("admin")));
    }

    @Test
    void policyYamlOverridesAreHonouredAndCompose(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                # only admins may create backups here
                "backup:create": "role:admin"
                # a dedicated cloud-admin role replaces admin for every admin API rule at once
                "admin_api": "role:cloud_admin"
                "backup:get": "rule:xena_system_admin_or_project_reader and not role:auditor"
                "backup:custom": "user_id:%(user_id)s"
                """);
        Policy policy = Policy.load(file, true);

        assertFalse(policy.check("backup:create", persona("member"), TARGET));
        assertTrue(policy.check("backup:create", persona("admin"), TARGET));

        // Rules pointing at rule:admin_api follow the override.
        assertFalse(policy.check("backup:backup-import", persona("admin"), TARGET));
        RequestContext cloudAdmin = new RequestContext("ca", "x", Set.of("cloud_admin"), false, "t");
        assertTrue(policy.check("volume_extension:backup_admin_actions:reset_status", cloudAdmin, TARGET));

        RequestContext auditor = new RequestContext("au", P1, Set.of("reader", "auditor"), false, "t");
        assertFalse(policy.check("backup:get", auditor, TARGET));
        assertTrue(policy.check("backup:get", persona("reader"), TARGET));

        // Rules not mentioned keep cinder's defaults.
        assertTrue(policy.check("backup:delete", persona("member"), TARGET));

        // New rules may be added and see the target.
        RequestContext owner = new RequestContext("owner", P1, Set.of(), false, "t");
        assertTrue(policy.check("backup:custom", owner, TARGET));
        assertFalse(policy.check("backup:custom", persona("member"), TARGET));
    }

    @Test
    void brokenOverrideDeniesInsteadOfAllowing() {
        Policy policy = Policy.of(Map.of("backup:get", "role:reader and (project_id:%(project_id)s"), true);
        assertFalse(policy.check("backup:get", persona("admin"), TARGET));
    }

    @Test
    void emptyOverrideAllowsEveryone() {
        Policy policy = Policy.of(PolicyFile.parse("\"backup:backup-import\": \"\"\n\"backup:export-import\":\n"), true);
        assertTrue(policy.check("backup:backup-import", persona("noRole"), TARGET));
        assertTrue(policy.check("backup:export-import", persona("noRole"), TARGET));
    }

    @Test
    void policyFileRejectsNonStringRules() {
        assertThrows(IllegalArgumentException.class, () -> PolicyFile.parse("\"backup:get\": [[\"role:admin\"]]\n"));
        assertThrows(IllegalArgumentException.class, () -> PolicyFile.parse("- just a list\n"));
        assertEquals(Map.of(), PolicyFile.parse("# nothing but comments\n"));
    }

    @Test
    void oldDefaultsApplyWhenEnforceNewDefaultsIsOff() {
        Policy legacy = Policy.of(Map.of(), false);
        // Pre-Xena: any user of the project may create / delete; readers included.
        assertTrue(legacy.check("backup:create", persona("reader"), TARGET));
        assertTrue(legacy.check("backup:delete", persona("noRole"), TARGET));
        assertFalse(legacy.check("backup:delete", persona("foreignMember"), TARGET));
        // Admin-only rules have no deprecated form.
        assertFalse(legacy.check("backup:backup-import", persona("member"), TARGET));
        // An override replaces the rule outright, deprecated default included.
        Policy overridden = Policy.of(Map.of("backup:create", "role:admin"), false);
        assertFalse(overridden.check("backup:create", persona("reader"), TARGET));
    }

    @Test
    void fromConfigFindsRelativePolicyFileAndOption(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("backup-policy.yaml"), "\"backup:get_all\": \"role:admin\"\n");
        Config conf = Config.parse("""
                [oslo_policy]
                policy_file = backup-policy.yaml
                enforce_new_defaults = true
                """);
        Policy policy = Policy.fromConfig(conf, List.of(dir.resolve("missing"), dir));
        assertFalse(policy.check("backup:get_all", persona("member")));

        Policy none = Policy.fromConfig(Config.empty(), List.of(dir));
        assertTrue(none.check("backup:get_all", persona("member")));
    }

    @Test
    void sampleFileDocumentsExactlyTheDefaults() throws IOException {
        Path sample = Path.of("etc/ember/policy.yaml.sample");
        String text = Files.readString(sample);
        assertEquals(Map.of(), PolicyFile.parse(text), "the sample must override nothing as shipped");
        // Uncommented, it must restate the defaults, so the documentation cannot drift from the code.
        String uncommented = text.lines().filter(l -> l.startsWith("#\""))
                .map(l -> l.substring(1)).reduce("", (a, b) -> a + b + "\n");
        assertEquals(PolicyDefaults.RULES, PolicyFile.parse(uncommented));
    }

    @Test
    void everyBackupRuleIsRegistered() {
        assertTrue(Policy.defaults().ruleNames().containsAll(List.of(
                "backup:get_all", "backup:get", "backup:create", "backup:update", "backup:delete",
                "backup:restore", "backup:backup-import", "backup:export-import",
                "backup:backup_project_attribute", "volume_extension:backup_admin_actions:reset_status",
                "volume_extension:backup_admin_actions:force_delete")));
    }

    @Test
    void everyVolumeServiceRuleIsRegisteredWithCindersZedDefault() {
        Policy policy = Policy.defaults();
        for (String rule : List.of("volume:get", "volume:get_all", "volume:get_all_snapshots", "volume:get_snapshot")) {
            assertTrue(policy.check(rule, persona("reader")), rule);
        }
        for (String rule : List.of("volume:create", "volume:delete", "volume:extend", "volume:extend_attached_volume",
                "volume:create_snapshot", "volume:delete_snapshot", "volume:attachment_create",
                "volume:attachment_update", "volume:attachment_delete", "volume:attachment_complete")) {
            assertFalse(policy.check(rule, persona("reader")), rule);
            assertTrue(policy.check(rule, persona("member")), rule);
        }
        assertFalse(policy.check("volume_extension:volume_admin_actions:reset_status", persona("member")));
        assertTrue(policy.check("volume_extension:volume_admin_actions:reset_status", persona("admin")));
    }

    @Test
    void aCallerWithoutAProjectPassesProjectChecksOnlyAgainstAProjectlessTargetLikeOsloPolicy() {
        // oslo.policy's GenericCheck compares "%(project_id)s" % target with str(creds["project_id"]):
        // None against None is "None" == "None" and passes; against a project it fails.
        Policy policy = Policy.defaults();
        RequestContext domainReader = new RequestContext("u", null, Set.of("reader"), false, "t");
        assertTrue(policy.check("backup:get_all", domainReader));
        assertFalse(policy.check("backup:get", domainReader, Policy.target("p1", "u")));
        assertFalse(policy.check("volume:get", domainReader, Policy.target("p1", "u2")));
    }
}
