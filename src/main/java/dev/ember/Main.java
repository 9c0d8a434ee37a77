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
@Command(name = "ember", mixinStandardHelpOptions = true, subcommands = {Main.Serve.class},
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
}
