package dev.ember;

import dev.ember.config.Config;
import dev.ember.config.LogSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Ember's command line. With no subcommand it is cinder-backup's: {@code ember --config-file
 * /etc/cinder/cinder.conf --log-file ...} runs the backup role, so the launcher
 * {@code bin/ember-backup} can stand where {@code /usr/bin/cinder-backup} stood.
 */
@Command(name = "ember", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {Main.Backup.class, Main.Api.class, Main.All.class, Main.Bench.class},
        description = {"Ember: a drop-in replacement for OpenStack cinder-backup.",
                "Without a subcommand, runs the backup role (as 'ember backup') when given --config-file or --config-dir."})
public final class Main implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Main.class);

    @CommandLine.Mixin
    ServiceOptions service = new ServiceOptions();

    /** The jar's Implementation-Version, as cinder-backup --version prints its package's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"ember " + (v == null ? "(development build)" : v)};
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        if (service.files.isEmpty() && service.dirs.isEmpty()) {
            new CommandLine(this).usage(System.out);
            return 0;
        }
        return service.run(Role.BACKUP);
    }

    /**
     * oslo.config's and oslo.log's standard command-line options, which every cinder service
     * accepts and which init scripts pass (Debian's: {@code --config-file=/etc/cinder/cinder.conf
     * --log-file=/var/log/cinder/cinder-backup.log}, with {@code --use-syslog} if chosen).
     */
    static final class ServiceOptions {
        @Option(names = "--config-file", paramLabel = "PATH",
                description = "cinder.conf-style file; repeatable, later files win")
        List<Path> files = new ArrayList<>();

        @Option(names = "--config-dir", paramLabel = "DIR", description = "directory of *.conf files read after --config-file")
        List<Path> dirs = new ArrayList<>();

        @Option(names = {"--log-file", "--logfile"}, paramLabel = "PATH",
                description = "log to this file instead of standard output (overrides [DEFAULT] log_file)")
        String logFile;

        @Option(names = {"--log-dir", "--logdir"}, paramLabel = "DIR",
                description = "directory of the log file (overrides [DEFAULT] log_dir)")
        String logDir;

        @Option(names = {"-d", "--debug"}, description = "log Ember's own messages at DEBUG (overrides [DEFAULT] debug)")
        Boolean debug;

        @Option(names = "--nodebug", description = "the opposite of --debug")
        boolean noDebug;

        // Accepted so that an init script's command line runs unchanged; Ember logs to a file or
        // standard output only, and says so at start.
        @Option(names = {"--use-syslog", "--use-journal", "--use-json", "--use-eventlog", "--watch-log-file",
                "--nouse-syslog", "--nouse-journal", "--nouse-json", "--nouse-eventlog", "--nowatch-log-file"},
                description = "accepted for oslo.log compatibility; Ember logs to --log-file or standard output")
        List<Boolean> ignoredFlags = new ArrayList<>();

        @Option(names = {"--log-config-append", "--log-config", "--log_config", "--log-date-format",
                "--syslog-log-facility"}, paramLabel = "VALUE",
                description = "accepted for oslo.log compatibility and ignored (Python logging configuration)")
        List<String> ignoredValues = new ArrayList<>();

        Config load() throws Exception {
            List<Path> all = new ArrayList<>(files);
            for (Path d : dirs) {
                all.addAll(Config.filesOfDir(d));
            }
            return Config.load(all);
        }

        /** Runs the service in {@code role} until it is stopped; 1 when it cannot start, with the reason logged. */
        int run(Role role) {
            Ember ember;
            try {
                Config config = load();
                Boolean dbg = noDebug ? Boolean.FALSE : debug;
                LogSettings logs = LogSettings.resolve(new LogSettings.CommandLine(logFile, logDir, dbg), config,
                        role.logName());
                Logging.apply(logs);
                if (!ignoredFlags.isEmpty() || !ignoredValues.isEmpty()) {
                    LOG.warn("oslo.log's syslog, journal, JSON and Python logging-configuration options are accepted "
                            + "and ignored: Ember logs to {}", logs.file().map(Path::toString).orElse("standard output"));
                }
                ember = Ember.start(config, role);
            } catch (IllegalArgumentException | java.io.IOException e) {
                // A configuration the operator can fix: the reason, not a stack trace.
                LOG.error("Ember could not start ({} role): {}", role.cliName(), e.getMessage());
                return 1;
            } catch (Exception | LinkageError e) {
                LOG.error("Ember could not start ({} role): {}", role.cliName(), e.toString(), e);
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(ember::close, "ember-shutdown"));
            try {
                ember.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"cinder-backup's role: the backup manager on the broker, no HTTP, volumes through "
                    + "cinder-volume; runs from an unmodified cinder.conf."})
    static final class Backup implements Callable<Integer> {
        @CommandLine.Mixin
        ServiceOptions service = new ServiceOptions();

        @Override
        public Integer call() {
            return service.run(Role.BACKUP);
        }
    }

    @Command(name = "api", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"cinder-api's part for backups: the backup REST API alone at osapi_volume_listen_port, "
                    + "over cinder's database, casting the work to the cinder-backup hosts (and restores' new "
                    + "volumes to cinder-scheduler); no backup manager; runs from an unmodified cinder.conf."})
    static final class Api implements Callable<Integer> {
        @CommandLine.Mixin
        ServiceOptions service = new ServiceOptions();

        @Override
        public Integer call() {
            return service.run(Role.API);
        }
    }

    @Command(name = "all", aliases = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"The embedded all-in-one profile: the backup REST API and the backup manager, "
                    + "with Ember's own file or RBD volumes (what ./devstack/ember up runs)."})
    static final class All implements Callable<Integer> {
        @CommandLine.Mixin
        ServiceOptions service = new ServiceOptions();

        @Override
        public Integer call() {
            return service.run(Role.ALL);
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Time the RBD backup driver against rbd export-diff/import-diff and rbd export/import "
                    + "on a local Ceph cluster (creates and removes its own images).")
    static final class Bench implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", arity = "0..1", defaultValue = "data/ceph/ceph.conf",
                description = "ceph.conf of the cluster (default: ${DEFAULT-VALUE})")
        String conf;

        @Option(names = "--size-mib", defaultValue = "2048", description = "volume size (default: ${DEFAULT-VALUE})")
        long sizeMib;

        @Option(names = "--user", defaultValue = "cinder", description = "cephx user (default: ${DEFAULT-VALUE})")
        String user;

        @Option(names = "--verify", description = "also check that every restore and base is identical to the volume")
        boolean verify;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of(conf, "--size-mib", Long.toString(sizeMib), "--user", user));
            if (verify) {
                args.add("--verify");
            }
            return dev.ember.bench.RbdBench.run(args.toArray(String[]::new), System.out);
        }
    }
}
