package dev.ember;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command lines a cinder-backup service unit passes are Ember's command lines too. */
class MainCommandLineTest {

    /** Debian's /etc/init.d/cinder-backup: --config-file=..., --log-file=..., optionally --use-syslog; no subcommand. */
    @Test
    void debianInitScriptArgumentsSelectTheBackupRole() {
        Main main = new Main();
        CommandLine.ParseResult r = new CommandLine(main).parseArgs("--config-file=/etc/cinder/cinder.conf",
                "--log-file=/var/log/cinder/cinder-backup.log", "--use-syslog");
        assertFalse(r.hasSubcommand());
        assertEquals(List.of(Path.of("/etc/cinder/cinder.conf")), main.service.files);
        assertEquals("/var/log/cinder/cinder-backup.log", main.service.logFile);
        assertEquals(1, main.service.ignoredFlags.size());
    }

    /** oslo.config's space-separated form and repeated files, with --config-dir, under `backup`. */
    @Test
    void backupSubcommandTakesOsloOptions() {
        CommandLine cl = new CommandLine(new Main());
        CommandLine.ParseResult r = cl.parseArgs("backup", "--config-file", "/etc/cinder/cinder.conf", "--config-file",
                "/etc/cinder/backup.conf", "--config-dir", "/etc/cinder/cinder.conf.d", "--debug", "--log-dir", "/var/log/cinder");
        assertTrue(r.hasSubcommand());
        Main.Backup b = (Main.Backup) r.subcommand().commandSpec().userObject();
        assertEquals(2, b.service.files.size());
        assertEquals(List.of(Path.of("/etc/cinder/cinder.conf.d")), b.service.dirs);
        assertEquals(Boolean.TRUE, b.service.debug);
        assertEquals("/var/log/cinder", b.service.logDir);
    }

    /** `serve`, the name ./devstack/ember used, still runs the embedded profile. */
    @Test
    void serveIsTheAllInOneProfile() {
        CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs("serve", "--config-file", "x.conf");
        assertTrue(r.subcommand().commandSpec().userObject() instanceof Main.All);
    }

    /** `api` (bin/ember-api) takes cinder-api's arguments: two config files (later wins), a log file. */
    @Test
    void apiTakesCinderApisArguments() {
        CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs("api", "--config-file=/etc/cinder/cinder.conf",
                "--config-file=/etc/cinder/ember-api.conf", "--log-file=/var/log/cinder/ember-api.log");
        Main.Api a = (Main.Api) r.subcommand().commandSpec().userObject();
        assertEquals(List.of(Path.of("/etc/cinder/cinder.conf"), Path.of("/etc/cinder/ember-api.conf")), a.service.files);
        assertEquals("/var/log/cinder/ember-api.log", a.service.logFile);
    }

    /** An option cinder-backup does not take either is refused, with usage, not started with. */
    @Test
    void unknownOptionIsRefused() {
        StringWriter err = new StringWriter();
        int rc = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--config-file=x.conf", "--bogus");
        assertNotEquals(0, rc);
        assertTrue(err.toString().contains("--bogus"), err.toString());
    }

    /** A configuration that cannot start exits 1 with its reason logged (a missing file here). */
    @Test
    void unstartableConfigurationExitsNonZero() {
        int rc = new CommandLine(new Main()).execute("backup", "--config-file", "/nonexistent/cinder.conf");
        assertEquals(1, rc);
    }
}
