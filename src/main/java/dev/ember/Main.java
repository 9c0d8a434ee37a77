package dev.ember;

import dev.ember.config.Config;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Ember's command line: {@code serve} runs the service. */
@Command(name = "ember", mixinStandardHelpOptions = true, subcommands = {Main.Serve.class, Main.Bench.class},
        description = "Ember: a drop-in replacement for OpenStack cinder-backup.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options shared by commands that read cinder.conf-style configuration. */
    static final class ConfigOptions {
        @Option(names = "--config-file", description = "cinder.conf-style file; repeatable, later files win")
        List<Path> files = new ArrayList<>();

        @Option(names = "--config-dir", description = "directory of *.conf files read after --config-file")
        List<Path> dirs = new ArrayList<>();

        Config load() throws Exception {
            List<Path> all = new ArrayList<>(files);
            for (Path d : dirs) {
                all.addAll(Config.filesOfDir(d));
            }
            return Config.load(all);
        }
    }

    @Command(name = "serve", description = "Run the API and the backup manager.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOptions config = new ConfigOptions();

        @Override
        public Integer call() throws Exception {
            Ember ember = Ember.start(config.load());
            Runtime.getRuntime().addShutdownHook(new Thread(ember::close, "ember-shutdown"));
            ember.awaitTermination();
            return 0;
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
