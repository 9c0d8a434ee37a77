package dev.ember.rpc.oslo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.ember.error.CinderException;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * cinder's {@code utils.set_log_levels}/{@code get_log_levels} on Ember's logback loggers: levels
 * INFO, WARNING, ERROR, DEBUG (case-insensitive; others are InvalidInput), loggers chosen by name
 * prefix (empty = all named loggers), effective levels reported with Python's names.
 */
public final class LogLevels {

    private static final List<String> LEVELS = List.of("INFO", "WARNING", "ERROR", "DEBUG");

    private LogLevels() {
    }

    public static void set(String prefix, String levelName) {
        String upper = levelName == null ? "" : levelName.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(upper)) {
            throw CinderException.invalidInput(levelName + " is not a valid log level.");
        }
        Level level = switch (upper) {
            case "DEBUG" -> Level.DEBUG;
            case "WARNING" -> Level.WARN;
            case "ERROR" -> Level.ERROR;
            default -> Level.INFO;
        };
        LoggerContext ctx = context();
        if (ctx == null) {
            return;
        }
        String p = prefix == null ? "" : prefix;
        for (Logger l : ctx.getLoggerList()) {
            if (!Logger.ROOT_LOGGER_NAME.equals(l.getName()) && l.getName().startsWith(p)) {
                l.setLevel(level);
            }
        }
    }

    public static List<LogLevel> get(String prefix) {
        LoggerContext ctx = context();
        List<LogLevel> out = new ArrayList<>();
        if (ctx == null) {
            return out;
        }
        String p = prefix == null ? "" : prefix;
        for (Logger l : ctx.getLoggerList()) {
            if (!Logger.ROOT_LOGGER_NAME.equals(l.getName()) && l.getName().startsWith(p)) {
                out.add(new LogLevel(l.getName(), pythonName(l.getEffectiveLevel())));
            }
        }
        return out;
    }

    static String pythonName(Level level) {
        if (level == null) {
            return "NOTSET";
        }
        return switch (level.toInt()) {
            case Level.TRACE_INT, Level.DEBUG_INT, Level.ALL_INT -> "DEBUG";
            case Level.INFO_INT -> "INFO";
            case Level.WARN_INT -> "WARNING";
            case Level.ERROR_INT -> "ERROR";
            case Level.OFF_INT -> "CRITICAL";
            default -> "NOTSET";
        };
    }

    private static LoggerContext context() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext c ? c : null;
    }
}
