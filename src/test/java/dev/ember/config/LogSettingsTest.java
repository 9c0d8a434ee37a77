package dev.ember.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where the log goes: oslo.log's rules for --log-file/--log-dir/--debug over the files' options. */
class LogSettingsTest {

    /**
     * Each row: the command line's --log-file, --log-dir, --debug (empty: not given), the files'
     * log_file, log_dir, debug (empty: absent), and the expected file (empty: standard output)
     * and level.
     */
    @ParameterizedTest(name = "cli({0},{1},{2}) conf({3},{4},{5}) -> {6} debug={7}")
    @CsvSource(nullValues = "-", value = {
            // nothing anywhere: standard output, INFO
            "-, -, -, -, -, -, -, false",
            // Debian's init script: --log-file wins over nothing
            "/var/log/cinder/cinder-backup.log, -, -, -, -, -, /var/log/cinder/cinder-backup.log, false",
            // log_dir alone: the role's name under it
            "-, -, -, -, /var/log/cinder, -, /var/log/cinder/cinder-backup.log, false",
            // relative log_file joins log_dir
            "-, -, -, backup.log, /var/log/cinder, -, /var/log/cinder/backup.log, false",
            // an absolute --log-file ignores the files' log_dir (os.path.join)
            "/tmp/x.log, -, -, -, /var/log/cinder, -, /tmp/x.log, false",
            // the command line's dir beats the file's dir
            "-, /srv/log, -, -, /var/log/cinder, -, /srv/log/cinder-backup.log, false",
            // debug from the file, overridden by --nodebug
            "-, -, -, -, -, true, -, true",
            "-, -, false, -, -, true, -, false",
            "-, -, true, -, -, false, -, true",
    })
    void resolvesLikeOsloLog(String cliFile, String cliDir, Boolean cliDebug, String confFile, String confDir,
                             String confDebug, String expectedFile, boolean expectedDebug) {
        Config config = Config.empty();
        if (confFile != null) {
            config = config.with(Config.DEFAULT, "log_file", confFile);
        }
        if (confDir != null) {
            config = config.with(Config.DEFAULT, "log_dir", confDir);
        }
        if (confDebug != null) {
            config = config.with(Config.DEFAULT, "debug", confDebug);
        }
        LogSettings s = LogSettings.resolve(new LogSettings.CommandLine(cliFile, cliDir, cliDebug), config,
                "cinder-backup");
        assertEquals(expectedFile == null ? java.util.Optional.empty() : java.util.Optional.of(Path.of(expectedFile)),
                s.file());
        assertEquals(expectedDebug, s.debug());
    }

    /** oslo's deprecated spellings logfile/logdir still count. */
    @org.junit.jupiter.api.Test
    void deprecatedNames() {
        Config config = Config.empty().with(Config.DEFAULT, "logdir", "/var/log/x").with(Config.DEFAULT, "logfile", "y.log");
        assertEquals(java.util.Optional.of(Path.of("/var/log/x/y.log")),
                LogSettings.resolve(LogSettings.CommandLine.NONE, config, "cinder-backup").file());
    }
}
