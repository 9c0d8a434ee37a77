package dev.ember.volume.remote;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The one-node Ceph of devstack/ceph for these tests (same rules as dev.ember.ceph.CephTestCluster). */
final class TestCeph {
    private static Path conf;

    private TestCeph() {
    }

    static synchronized Path conf() throws Exception {
        assumeFalse("1".equals(System.getenv("EMBER_SKIP_CEPH_TESTS")), "EMBER_SKIP_CEPH_TESTS=1");
        if (conf != null) {
            return conf;
        }
        String external = System.getenv("EMBER_CEPH_CONF");
        if (external != null && !external.isBlank()) {
            conf = Path.of(external);
            return conf;
        }
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (root != null && !Files.isExecutable(root.resolve("devstack/ceph"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalStateException("devstack/ceph not found");
        }
        Path log = root.resolve("target/ceph-start.log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(List.of(root.resolve("devstack/ceph").toString(), "start"))
                .directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            fail("devstack/ceph start failed; see " + log);
        }
        String dir = System.getenv("EMBER_CEPH_DIR");
        conf = (dir == null || dir.isBlank() ? root.resolve("data/ceph") : root.resolve(dir)).resolve("ceph.conf");
        return conf;
    }
}
