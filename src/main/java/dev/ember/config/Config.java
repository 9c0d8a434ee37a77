package dev.ember.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Configuration in oslo.config's INI dialect (cinder.conf): sections, {@code key = value},
 * {@code #}/{@code ;} comments, several files where later files override earlier ones, and
 * {@code $option} interpolation from [DEFAULT]. Option names are cinder's own, so an operator can
 * reuse an existing cinder.conf.
 */
public final class Config {

    public static final String DEFAULT = "DEFAULT";

    private final Map<String, Map<String, String>> sections;
    private final List<Path> sourceDirs;
    private final Set<String> read = ConcurrentHashMap.newKeySet();

    private Config(Map<String, Map<String, String>> sections) {
        this(sections, List.of());
    }

    private Config(Map<String, Map<String, String>> sections, List<Path> sourceDirs) {
        this.sections = sections;
        this.sourceDirs = sourceDirs;
    }

    public static Config empty() {
        return new Config(new LinkedHashMap<>());
    }

    /**
     * Directories of the files this configuration was read from, in order: where oslo.config
     * looks for relative files such as {@code policy.yaml}.
     */
    public List<Path> sourceDirs() {
        return sourceDirs;
    }

    /** Loads files in order; a later file overrides options of an earlier one. */
    public static Config load(List<Path> files) throws IOException {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        List<Path> dirs = new ArrayList<>();
        List<String> missing = files.stream().filter(f -> !Files.isReadable(f)).map(Path::toString).toList();
        if (!missing.isEmpty()) {
            // oslo.config's words, so an operator's search for the message finds the cause.
            throw new IllegalArgumentException("Failed to find some config files: " + String.join(",", missing));
        }
        for (Path file : files) {
            parseInto(sections, Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null && !dirs.contains(dir)) {
                dirs.add(dir);
            }
        }
        return new Config(sections, List.copyOf(dirs));
    }

    /** Files of a --config-dir: every {@code *.conf} in it, in name order, as oslo.config does. */
    public static List<Path> filesOfDir(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
        }
    }

    public static Config parse(String text) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        parseInto(sections, text.lines().toList(), "<string>");
        return new Config(sections);
    }

    private static void parseInto(Map<String, Map<String, String>> sections, List<String> lines, String source) {
        String section = DEFAULT;
        String lastKey = null;
        int n = 0;
        for (String raw : lines) {
            n++;
            if (raw.isBlank() || raw.stripLeading().startsWith("#") || raw.stripLeading().startsWith(";")) {
                continue;
            }
            // oslo.config: an indented line continues the previous value.
            if (Character.isWhitespace(raw.charAt(0)) && lastKey != null) {
                Map<String, String> sec = sections.get(section);
                sec.put(lastKey, sec.get(lastKey) + "\n" + raw.strip());
                continue;
            }
            String line = raw.strip();
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw new IllegalArgumentException(source + ":" + n + ": invalid section header: " + line);
                }
                section = line.substring(1, line.length() - 1).strip();
                sections.computeIfAbsent(section, k -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            int eq = indexOfSeparator(line);
            if (eq < 0) {
                throw new IllegalArgumentException(source + ":" + n + ": expected 'key = value': " + line);
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            sections.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(key, value);
            lastKey = key;
        }
    }

    private static int indexOfSeparator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon >= 0 && colon < eq && !line.substring(0, colon).contains("/") ? colon : eq;
    }

    /** Returns a copy with {@code section.key} set, for tests and command-line overrides. */
    public Config with(String section, String key, String value) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        sections.forEach((s, m) -> copy.put(s, new LinkedHashMap<>(m)));
        copy.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(key, value);
        return new Config(copy, sourceDirs);
    }

    /** Returns a copy without {@code section.key}, for tests. */
    public Config without(String section, String key) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        sections.forEach((s, m) -> copy.put(s, new LinkedHashMap<>(m)));
        Map<String, String> sec = copy.get(section);
        if (sec != null) {
            sec.remove(key);
        }
        return new Config(copy, sourceDirs);
    }

    public Optional<String> find(String section, String key) {
        read.add(section + "." + key);
        Map<String, String> sec = sections.get(section);
        String v = sec == null ? null : sec.get(key);
        return Optional.ofNullable(v).map(this::interpolate);
    }

    public String get(String section, String key, String def) {
        return find(section, key).orElse(def);
    }

    public String get(String key, String def) {
        return get(DEFAULT, key, def);
    }

    public long getLong(String section, String key, long def) {
        Optional<String> v = find(section, key);
        if (v.isEmpty() || v.get().isBlank()) {
            return def;
        }
        try {
            return Long.parseLong(v.get().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("[" + section + "] " + key + ": not an integer: " + v.get());
        }
    }

    public long getLong(String key, long def) {
        return getLong(DEFAULT, key, def);
    }

    public int getInt(String key, int def) {
        return Math.toIntExact(getLong(DEFAULT, key, def));
    }

    public int getInt(String section, String key, int def) {
        return Math.toIntExact(getLong(section, key, def));
    }

    public boolean getBool(String section, String key, boolean def) {
        Optional<String> v = find(section, key);
        if (v.isEmpty() || v.get().isBlank()) {
            return def;
        }
        return switch (v.get().strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on", "y", "t" -> true;
            case "false", "0", "no", "off", "n", "f" -> false;
            default -> throw new IllegalArgumentException("[" + section + "] " + key + ": not a boolean: " + v.get());
        };
    }

    public boolean getBool(String key, boolean def) {
        return getBool(DEFAULT, key, def);
    }

    /** Comma-separated list option. */
    public List<String> getList(String section, String key) {
        Optional<String> v = find(section, key);
        if (v.isEmpty() || v.get().isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : v.get().split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Options present in the files that nothing has asked for, as {@code section.key}. */
    public Set<String> unusedOptions() {
        Set<String> out = new TreeSet<>();
        sections.forEach((s, m) -> m.keySet().forEach(k -> {
            if (!read.contains(s + "." + k)) {
                out.add(s + "." + k);
            }
        }));
        return out;
    }

    // oslo.config substitutes $name and ${name} with [DEFAULT] options; $$ is a literal $.
    private String interpolate(String value) {
        if (value.indexOf('$') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '$') {
                out.append(c);
                continue;
            }
            if (i + 1 < value.length() && value.charAt(i + 1) == '$') {
                out.append('$');
                i++;
                continue;
            }
            int start = i + 1;
            boolean braced = start < value.length() && value.charAt(start) == '{';
            if (braced) {
                start++;
            }
            int end = start;
            while (end < value.length() && (Character.isLetterOrDigit(value.charAt(end)) || value.charAt(end) == '_')) {
                end++;
            }
            String name = value.substring(start, end);
            Map<String, String> def = sections.getOrDefault(DEFAULT, Map.of());
            String sub = def.get(name);
            out.append(sub == null ? "" : interpolate(sub));
            i = braced && end < value.length() && value.charAt(end) == '}' ? end : end - 1;
        }
        return out.toString();
    }
}
