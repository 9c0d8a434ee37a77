package dev.ember.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The check-string language, evaluated as oslo.policy would. */
class CheckStringParserTest {

    private static boolean eval(String check, Map<String, Object> target, Map<String, Object> creds,
            Map<String, String> rules) {
        Map<String, PolicyCheck> parsed = new HashMap<>();
        rules.forEach((k, v) -> parsed.put(k, CheckStringParser.parse(v)));
        return CheckStringParser.parse(check).test(new PolicyEvaluation(target, creds, parsed::get));
    }

    private static boolean eval(String check) {
        Map<String, Object> creds = new HashMap<>();
        creds.put("roles", List.of("Member", "reader"));
        creds.put("project_id", "p1");
        creds.put("user_id", "u1");
        creds.put("is_admin", false);
        creds.put("system_scope", null);
        creds.put("nested", Map.of("ids", List.of(Map.of("id", "a"), Map.of("id", "b"))));
        Map<String, Object> target = new HashMap<>();
        target.put("project_id", "p1");
        target.put("other_project", "p2");
        target.put("enabled", true);
        target.put("role", "reader");
        target.put("pct", "50%");
        return eval(check, target, creds, Map.of("yes", "@", "no", "!", "loop_a", "rule:loop_b", "loop_b", "rule:loop_a"));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                       | true",
        "@                                        | true",
        "!                                        | false",
        "role:member                              | true",
        "role:MEMBER                              | true",
        "role:admin                               | false",
        "role:%(role)s                            | true",
        "role:%(missing)s                         | false",
        "project_id:%(project_id)s                | true",
        "project_id:%(other_project)s             | false",
        "project_id:%(missing)s                   | false",
        "is_admin:True                            | false",
        "is_admin:False                           | true",
        "system_scope:all                         | false",
        "system_scope:None                        | true",
        "True:%(enabled)s                         | true",
        "'reader':%(role)s                        | true",
        "nested.ids.id:b                          | true",
        "nested.ids.id:c                          | false",
        "pct:50%%                                 | false",
        "no_such_cred:x                           | false",
        "rule:yes                                 | true",
        "rule:no                                  | false",
        "rule:undefined                           | false",
        "rule:loop_a                              | false",
        "http://example.com/check                 | false",
        "nokind                                   | false",
        "not @                                    | false",
        "not not @                                | true",
        "@ or ! and !                             | true",
        "! and ! or @                             | true",
        "(@ or !) and !                           | false",
        "not @ or @                               | true",
        "not (@ or @)                             | false",
        "((role:reader))                          | true",
        "role:admin or (role:member and project_id:%(project_id)s) | true",
        "role:admin or (role:member and project_id:%(other_project)s) | false",
        "(role:admin) or (role:reader and project_id:%(project_id)s) | true",
        "role:reader AND NOT role:admin           | true",
        "@ Or !                                   | true",
    })
    void evaluates(String check, boolean expected) {
        assertEquals(expected, eval(check), check);
    }

    @ParameterizedTest
    @ValueSource(strings = {"role:a and", "(role:a", "role:a)", "and", "or role:a", "not", "()", "role:a role:b",
            "'quoted'", "role:a and or role:b"})
    void malformedStringsAreRejected(String check) {
        assertThrows(IllegalArgumentException.class, () -> CheckStringParser.parse(check));
    }
}
