package dev.ember.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A one-node cluster of a test's own ({@code devstack/ceph} with its own state directory and
 * monitor port), for tests that stop its daemons: the shared {@link LocalCeph} stays up for
 * everyone else. Purged on close.
 */
public final class PrivateCeph implements AutoCloseable {

    public final Path dir;
    private final Path root;
    private final List<Path> clientConfs = new ArrayList<>();

    private PrivateCeph(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    /**
     * Creates and starts the cluster under {@code target/<name>} (about half a minute). A bootstrap
     * that fails is purged and tried once more (a one-node cluster built from nothing on a loaded
     * CI machine is the test's environment, not what it tests); the second failure fails the test
     * with the tails of the script's and the daemons' logs.
     */
    public static PrivateCeph start(String name) throws Exception {
        assumeFalse("1".equals(System.getenv("EMBER_SKIP_CEPH_TESTS")), "EMBER_SKIP_CEPH_TESTS=1");
        Path root = LocalCeph.checkoutRoot();
        PrivateCeph ceph = new PrivateCeph(root, root.resolve("target").resolve(name).toAbsolutePath());
        ceph.script("purge");
        String first = ceph.run("start");
        if (first != null) {
            System.err.println("PrivateCeph " + name + ": the first bootstrap failed, purging and trying once more:\n" + first);
            ceph.script("purge");
            ceph.script("start");
        }
        return ceph;
    }

    public Path conf() {
        return dir.resolve("ceph.conf");
    }

    /** A copy of the client configuration with more {@code [client]} options. */
    public Path clientConf(Map<String, String> options) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(conf())) {
            out.add(line);
            if (line.trim().equals("[client]")) {
                options.forEach((k, v) -> out.add(k + " = " + v));
            }
        }
        // Beside the state directory: purge refuses a directory holding files it did not write.
        Path copy = dir.resolveSibling(dir.getFileName() + "-client-" + System.nanoTime() + ".conf");
        Files.write(copy, out);
        clientConfs.add(copy);
        return copy;
    }

    /** Stops the OSD as an operator would (SIGTERM: it marks itself down); its data stays. */
    public void stopOsd() throws Exception {
        String id = Files.readString(dir.resolve("osd.id")).trim();
        long pid = Long.parseLong(Files.readString(dir.resolve("run/osd." + id + ".pid")).trim());
        ProcessHandle osd = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no OSD process " + pid));
        osd.destroy();
        osd.onExit().get(60, TimeUnit.SECONDS);
    }

    /**
     * The ids of the clients the monitor has a session with ({@code ceph tell mon.a sessions}, as
     * client.admin): a librados client's {@code rados_get_instance_id} is listed until it shuts down.
     */
    public Set<Long> monClientSessions() throws Exception {
        Path out = Files.createTempFile(dir.getParent(), "mon-sessions", ".json");
        try {
            Process p = new ProcessBuilder(List.of("ceph", "-c", conf().toString(), "--connect-timeout", "20",
                    "tell", "mon.a", "sessions", "-f", "json"))
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("ceph tell mon.a sessions did not finish");
            }
            assertEquals(0, p.exitValue(), "ceph tell mon.a sessions failed");
            Set<Long> ids = new TreeSet<>();
            for (Object o : new JsonArray(Files.readString(out))) {
                JsonObject s = (JsonObject) o;
                if ("client".equals(s.getString("con_type"))) {
                    ids.add(s.getLong("global_id"));
                    String name = s.getString("name", "");
                    if (name.matches("client\\.\\d+")) {
                        ids.add(Long.parseLong(name.substring("client.".length())));
                    }
                }
            }
            return ids;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Starts whatever is not running and waits until the pools take writes again. */
    public void startAgain() throws Exception {
        script("start");
    }

    private void script(String command) throws Exception {
        String failure = run(command);
        if (failure != null) {
            fail(failure);
        }
    }

    /** Runs {@code devstack/ceph command}; null when it succeeded, else what failed with the logs' tails. */
    private String run(String command) throws Exception {
        Files.createDirectories(dir.getParent());
        Path log = dir.getParent().resolve(dir.getFileName() + "-" + command + ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(root.resolve("devstack/ceph").toString(), command))
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("EMBER_CEPH_DIR", dir.toString());
        pb.environment().put("EMBER_CEPH_SIZE", "8G");
        pb.environment().remove("EMBER_CEPH_MON_PORT");
        pb.environment().remove("EMBER_CEPH_MON_PORT_V1");
        // Ports of one's own when several checkouts share the machine (default: derived from the directory).
        String port = System.getenv("EMBER_PRIVATE_CEPH_MON_PORT");
        if (port != null && !port.isBlank()) {
            pb.environment().put("EMBER_CEPH_MON_PORT", port.trim());
            pb.environment().put("EMBER_CEPH_MON_PORT_V1", Integer.toString(Integer.parseInt(port.trim()) + 1));
        }
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return "devstack/ceph " + command + " did not finish" + tails(log);
        }
        return p.exitValue() == 0 ? null
                : "devstack/ceph " + command + " failed (exit " + p.exitValue() + ")" + tails(log);
    }

    /** The last lines of the script's log and of the daemons' logs (CI keeps only the test report). */
    private String tails(Path scriptLog) throws IOException {
        StringBuilder b = new StringBuilder();
        List<Path> logs = new ArrayList<>(List.of(scriptLog));
        Path daemonLogs = dir.resolve("log");
        if (Files.isDirectory(daemonLogs)) {
            try (var files = Files.list(daemonLogs)) {
                files.sorted().forEach(logs::add);
            }
        }
        for (Path f : logs) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            List<String> lines = Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1);
            b.append("\n--- ").append(f).append(" (last lines)\n");
            lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        for (Path p : clientConfs) {
            Files.deleteIfExists(p);
        }
        script("purge");
    }
}
