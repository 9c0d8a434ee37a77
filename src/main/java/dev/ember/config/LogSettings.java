package dev.ember.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the log goes and how verbose it is, decided as oslo.log decides it: the command line's
 * {@code --log-file}, {@code --log-dir} and {@code --debug} override {@code [DEFAULT] log_file},
 * {@code log_dir} and {@code debug} of the configuration files.
 *
 * @param file  the log file, or empty for standard output
 * @param debug whether Ember's own loggers log at DEBUG
 */
public record LogSettings(Optional<Path> file, boolean debug) {

    /** What the command line said; {@code null} where it said nothing. */
    public record CommandLine(String logFile, String logDir, Boolean debug) {
        public static final CommandLine NONE = new CommandLine(null, null, null);
    }

    /**
     * @param defaultName the file name under a log directory when no file is named (oslo.log uses
     *                    the program's name plus {@code .log})
     */
    public static LogSettings resolve(CommandLine cli, Config config, String defaultName) {
        String file = cli.logFile() != null ? cli.logFile() : firstOf(config, "log_file", "logfile");
        String dir = cli.logDir() != null ? cli.logDir() : firstOf(config, "log_dir", "logdir");
        boolean debug = cli.debug() != null ? cli.debug() : config.getBool("debug", false);
        Optional<Path> path;
        if (blank(file) && blank(dir)) {
            path = Optional.empty();
        } else if (blank(dir)) {
            path = Optional.of(Path.of(file));
        } else if (blank(file)) {
            path = Optional.of(Path.of(dir).resolve(defaultName + ".log"));
        } else {
            // os.path.join: an absolute log_file ignores log_dir.
            path = Optional.of(Path.of(dir).resolve(file));
        }
        return new LogSettings(path, debug);
    }

    private static String firstOf(Config config, String name, String deprecated) {
        return config.find(Config.DEFAULT, name).or(() -> config.find(Config.DEFAULT, deprecated)).orElse(null);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
