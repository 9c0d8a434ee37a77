package dev.ember.auth;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads an oslo.policy file: a flat map of rule name → check string, in YAML (policy.json is
 * YAML too). SafeConstructor, since the file must never be able to instantiate classes.
 */
final class PolicyFile {

    private PolicyFile() {}

    static Map<String, String> read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(new Yaml(new SafeConstructor(new LoaderOptions())).load(r), file.toString());
        } catch (RuntimeException e) {
            // snakeyaml's YAMLException is unchecked; a broken policy file is an operator error.
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, String> parse(String yaml) {
        return parse(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml), "<string>");
    }

    private static Map<String, String> parse(Object doc, String source) {
        Map<String, String> rules = new LinkedHashMap<>();
        if (doc == null) {
            return rules; // an empty or all-comments file overrides nothing
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(source + ": expected a mapping of rule name to check string");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                v = ""; // "rule:" with no value is the empty check string, which oslo allows to pass
            }
            if (!(v instanceof String)) {
                // The pre-2014 list-of-lists syntax is long deprecated; say so instead of guessing.
                throw new IllegalArgumentException(source + ": rule '" + e.getKey() + "' must be a check string");
            }
            rules.put(String.valueOf(e.getKey()), (String) v);
        }
        return rules;
    }
}
