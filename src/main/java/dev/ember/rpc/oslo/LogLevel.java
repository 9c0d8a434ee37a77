package dev.ember.rpc.oslo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cinder's {@code LogLevel} 1.0 ({@code set_log_levels}/{@code get_log_levels} argument) and, as a
 * list, {@code LogLevelList} 1.0 ({@code get_log_levels} result). Levels are Python's names
 * (DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET).
 */
public record LogLevel(String prefix, String level) {

    public static final String NAME = "LogLevel";
    public static final String LIST_NAME = "LogLevelList";
    public static final String VERSION = "1.0";

    public static LogLevel fromPrimitive(VersionedObject o) {
        o.expect(NAME, VERSION);
        return new LogLevel(o.string("prefix"), o.string("level"));
    }

    public VersionedObject toPrimitive() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("prefix", prefix);
        d.put("level", level);
        return VersionedObject.of(NAME, VERSION, d);
    }

    public static VersionedObject listPrimitive(List<LogLevel> levels) {
        List<Object> objs = new ArrayList<>();
        for (LogLevel l : levels) {
            objs.add(l.toPrimitive());
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("objects", objs);
        return VersionedObject.of(LIST_NAME, VERSION, d);
    }

    public static List<LogLevel> fromListPrimitive(VersionedObject o) {
        o.expect(LIST_NAME, VERSION);
        List<LogLevel> out = new ArrayList<>();
        if (o.get("objects") instanceof List<?> l) {
            for (Object e : l) {
                if (e instanceof VersionedObject v) {
                    out.add(fromPrimitive(v));
                }
            }
        }
        return List.copyOf(out);
    }
}
