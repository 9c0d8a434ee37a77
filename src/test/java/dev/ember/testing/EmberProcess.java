package dev.ember.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Ember as a child process (same classpath as the tests), for tests that kill it with SIGKILL
 * and start it again. Output goes to {@code <state>/ember.log}.
 */
public final class EmberProcess implements AutoCloseable {

    public final Path state;
    public final Path config;
    public final int port;
    public final Api api;
    private Process process;

    /**
     * @param extraLines more [DEFAULT] options (key = value), and sections after them
     */
    public EmberProcess(Path state, String host, List<String> extraLines) throws IOException {
        this.state = state;
        this.port = freePort();
        this.config = state.resolve("ember-" + host + ".conf");
        StringBuilder sb = new StringBuilder(String.join("\n",
                "[DEFAULT]",
                "state_path = " + state,
                "host = " + host,
                "auth_strategy = noauth",
                "backup_posix_path = $state_path/backup",
                "volumes_dir = $state_path/volumes",
                "backup_file_size = 4194304",
                "osapi_volume_listen = 127.0.0.1",
                "osapi_volume_listen_port = " + port, ""));
        extraLines.forEach(l -> sb.append(l).append('\n'));
        sb.append("[database]\nconnection = ").append(TestDatabase.sqlAlchemyUrl()).append('\n');
        Files.writeString(config, sb.toString());
        this.api = new Api("http://127.0.0.1:" + port);
    }

    public Path log() {
        return config.resolveSibling(config.getFileName().toString().replace(".conf", ".log"));
    }

    /** Starts the process and waits until the API answers. */
    public void start() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.ember.Main", "all",
                "--config-file", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (api.get("/").status() == 300) {
                    return;
                }
            } catch (RuntimeException e) {
                // not up yet
            }
            if (!process.isAlive()) {
                throw new AssertionError("Ember exited on start; see " + log());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Ember did not come up; see " + log());
    }

    /** SIGKILL: no shutdown hook, no goodbye. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    public Path volumeFile(String volumeId) {
        return state.resolve("volumes").resolve("volume-" + volumeId);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
