package dev.ember.arch;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The package rules of {@code ARCHITECTURE.md}, read from that file and checked on the compiled
 * main classes in {@code target/classes} (ArchUnit reads the bytecode, so fully qualified names and inlined constants count
 * as well as imports). Every package must have a row; an edge that no row allows fails the test
 * unless the file lists it as a known violation, and a known violation that no longer occurs
 * fails it too, so the list stays exact and countable.
 */
class LayeringTest {

    static final String BASE = "dev.ember";
    /** A row: {@code | `api` | `auth`, `backup` |}; {@code anything} allows every package. */
    static final Pattern RULE = Pattern.compile("^\\|\\s*`([\\w.()]+)`\\s*\\|([^|]*)\\|");
    /** A known violation: {@code | `api` → `db` | why |}. */
    static final Pattern KNOWN = Pattern.compile("^\\|\\s*`([\\w.()]+)`\\s*→\\s*`([\\w.()]+)`\\s*\\|([^|]*)\\|");
    static final Pattern NAME = Pattern.compile("`([\\w.()]+)`");

    static Map<String, Set<String>> allowed;
    static Map<String, String> known;
    /** Edge "from → to" to one example class dependency. */
    static Map<String, String> edges;

    @BeforeAll
    static void read() throws Exception {
        allowed = new TreeMap<>();
        known = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("ARCHITECTURE.md"))) {
            Matcher k = KNOWN.matcher(line);
            if (k.find()) {
                known.put(k.group(1) + " → " + k.group(2), k.group(3).strip());
                continue;
            }
            Matcher r = RULE.matcher(line);
            if (r.find()) {
                Set<String> to = new TreeSet<>();
                String cell = r.group(2).strip();
                if (cell.startsWith("anything")) {
                    to.add("*");
                }
                Matcher n = NAME.matcher(cell);
                while (n.find()) {
                    to.add(n.group(1));
                }
                allowed.put(r.group(1), to);
            }
        }
        assertTrue(allowed.size() > 5, "ARCHITECTURE.md has the table of allowed imports");

        // The main classes Maven compiled; reading only them keeps the test quick.
        JavaClasses classes = new ClassFileImporter().importPath(Path.of("target", "classes"));
        edges = new TreeMap<>();
        for (JavaClass c : classes) {
            if (!c.getPackageName().startsWith(BASE)) {
                continue;
            }
            String from = module(c.getPackageName());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String pkg = d.getTargetClass().getPackageName();
                if (!pkg.equals(BASE) && !pkg.startsWith(BASE + ".")) {
                    continue;
                }
                String to = module(pkg);
                if (!from.equals(to)) {
                    edges.putIfAbsent(from + " → " + to, d.getDescription());
                }
            }
        }
    }

    /** {@code dev.ember.driver.rbd} → {@code driver.rbd}; generated jOOQ code belongs to {@code db}. */
    static String module(String pkg) {
        if (pkg.equals(BASE)) {
            return "(root)";
        }
        String m = pkg.substring(BASE.length() + 1);
        return m.startsWith("db.") ? "db" : m;
    }

    @Test
    void everyPackageHasARule() {
        Set<String> missing = new TreeSet<>();
        for (String e : edges.keySet()) {
            for (String m : e.split(" → ")) {
                if (!allowed.containsKey(m)) {
                    missing.add(m);
                }
            }
        }
        assertEquals(Set.of(), missing, "packages without a row in ARCHITECTURE.md's table");
    }

    @Test
    void noPackageImportsWhatItsRuleForbids() {
        List<String> forbidden = new ArrayList<>();
        for (Map.Entry<String, String> e : edges.entrySet()) {
            String[] ft = e.getKey().split(" → ");
            Set<String> ok = allowed.getOrDefault(ft[0], Set.of());
            if (!ok.contains("*") && !ok.contains(ft[1]) && !known.containsKey(e.getKey())) {
                forbidden.add(e.getKey() + ", e.g. " + e.getValue());
            }
        }
        if (!forbidden.isEmpty()) {
            fail("imports that ARCHITECTURE.md forbids:\n  " + String.join("\n  ", forbidden));
        }
    }

    @Test
    void knownViolationsAreExactlyThoseThatStillOccur() {
        List<String> gone = new ArrayList<>();
        Map<String, String> still = new LinkedHashMap<>();
        for (Map.Entry<String, String> k : known.entrySet()) {
            String[] ft = k.getKey().split(" → ");
            assertTrue(!allowed.getOrDefault(ft[0], Set.of()).contains(ft[1]),
                    k.getKey() + " is both allowed and a known violation");
            if (edges.containsKey(k.getKey())) {
                still.put(k.getKey(), edges.get(k.getKey()));
            } else {
                gone.add(k.getKey());
            }
        }
        System.out.println("LayeringTest: " + still.size() + " known violation(s) of ARCHITECTURE.md remain:");
        still.forEach((edge, example) -> System.out.println("  " + edge + " (" + known.get(edge) + "), e.g. " + example));
        assertEquals(List.of(), gone, "known violations that no longer occur: remove them from ARCHITECTURE.md");
    }

    /** The code itself, known violations included: no package reaches itself through the packages it imports. */
    @Test
    void theCodeHasNoPackageCycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String e : edges.keySet()) {
            String[] ft = e.split(" → ");
            graph.computeIfAbsent(ft[0], k -> new TreeSet<>()).add(ft[1]);
        }
        for (String start : graph.keySet()) {
            Map<String, String> via = new TreeMap<>();
            List<String> todo = new ArrayList<>();
            for (String t : graph.get(start)) {
                via.put(t, start);
                todo.add(t);
            }
            while (!todo.isEmpty()) {
                String m = todo.remove(todo.size() - 1);
                if (m.equals(start)) {
                    List<String> path = new ArrayList<>(List.of(start));
                    for (String at = via.get(start); !at.equals(start); at = via.get(at)) {
                        path.add(0, at);
                    }
                    path.add(0, start);
                    fail("package cycle: " + String.join(" → ", path) + " (" + edges.get(path.get(0) + " → "
                            + path.get(1)) + ")");
                }
                for (String t : graph.getOrDefault(m, Set.of())) {
                    if (!via.containsKey(t)) {
                        via.put(t, m);
                        todo.add(t);
                    }
                }
            }
        }
    }

    /** The rules themselves describe a one-way flow: no package may reach itself through allowed edges. */
    @Test
    void theAllowedEdgesHaveNoCycle() {
        for (String start : allowed.keySet()) {
            if (allowed.get(start).contains("*")) {
                continue;
            }
            Set<String> seen = new TreeSet<>();
            List<String> todo = new ArrayList<>(allowed.get(start));
            while (!todo.isEmpty()) {
                String m = todo.remove(todo.size() - 1);
                assertTrue(!m.equals(start), "the rules let " + start + " reach itself");
                if (seen.add(m)) {
                    todo.addAll(allowed.getOrDefault(m, Set.of()));
                }
            }
        }
    }
}
