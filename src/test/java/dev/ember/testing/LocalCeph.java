package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import dev.ember.ceph.CephException;
import dev.ember.ceph.ImageNotFoundException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.RbdImage;
import dev.ember.ceph.Snapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The checkout's one-node Ceph ({@code devstack/ceph}) for every test that needs a cluster:
 * started once per JVM on first use; {@code EMBER_CEPH_CONF} points at another cluster,
 * {@code EMBER_SKIP_CEPH_TESTS=1} skips those tests.
 */
public final class LocalCeph {
    private static Path conf;

    private LocalCeph() {
    }

    /** The cluster's ceph.conf, starting the cluster when needed. */
    public static synchronized Path conf() {
        assumeFalse("1".equals(System.getenv("EMBER_SKIP_CEPH_TESTS")), "EMBER_SKIP_CEPH_TESTS=1");
        if (conf != null) {
            return conf;
        }
        String external = System.getenv("EMBER_CEPH_CONF");
        if (external != null && !external.isBlank()) {
            conf = Path.of(external);
            return conf;
        }
        Path root = checkoutRoot();
        Path log = root.resolve("target/ceph-start.log");
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(List.of(root.resolve("devstack/ceph").toString(), "start"))
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("devstack/ceph start did not finish in 15 minutes; see " + log);
            }
            if (p.exitValue() != 0) {
                fail("devstack/ceph start failed (exit " + p.exitValue() + "):\n" + tail(log));
            }
        } catch (IOException e) {
            fail("cannot run devstack/ceph start: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while starting Ceph");
        }
        String dir = System.getenv("EMBER_CEPH_DIR"); // the script's own override of data/ceph
        conf = (dir == null || dir.isBlank() ? root.resolve("data/ceph") : root.resolve(dir)).resolve("ceph.conf");
        return conf;
    }

    static Path checkoutRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("devstack/ceph"))) {
                return d;
            }
        }
        throw new IllegalStateException("devstack/ceph not found above " + dir);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The backup snapshots ({@code backup.<id>.snap.<ts>}) of an image, in librbd's order. */
    public static List<String> backupSnapshots(Pool pool, String image) throws CephException {
        try (RbdImage img = pool.openImageReadOnly(image, null)) {
            return img.listSnapshots().stream().map(Snapshot::name)
                    .filter(n -> dev.ember.driver.rbd.SourceSnapshot.parse(n).isPresent()).toList();
        }
    }

    /** Removes an image and all its snapshots, ignoring "not found". */
    public static void removeImageQuietly(Pool pool, String name) {
        try {
            try (RbdImage img = pool.openImage(name)) {
                img.removeAllSnapshots();
            }
            pool.removeImage(name);
        } catch (ImageNotFoundException e) {
            // already gone
        } catch (CephException e) {
            System.err.println("cleanup of " + pool.name() + "/" + name + " failed: " + e.getMessage());
        }
    }
}
