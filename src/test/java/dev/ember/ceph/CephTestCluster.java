package dev.ember.ceph;

import java.nio.file.Path;
import java.util.UUID;

/**
 * The real one-node cluster of {@code devstack/ceph} for tests. The first call in a JVM runs
 * {@code devstack/ceph start}, which returns in well under a second when the cluster is already up
 * and otherwise installs/bootstraps/starts it (its output goes to {@code target/ceph-start.log}).
 *
 * <p>{@code EMBER_CEPH_DIR} is honoured as by the script. {@code EMBER_CEPH_CONF=/path/ceph.conf} uses another cluster (pools volumes and backups, user
 * cinder) without starting anything; {@code EMBER_SKIP_CEPH_TESTS=1} skips the Ceph tests.
 */
final class CephTestCluster {
    static final String USER = "cinder";
    static final String POOL = "backups";

    private CephTestCluster() {
    }

    static Path conf() {
        return dev.ember.testing.LocalCeph.conf();
    }

    static CephCluster connect() throws CephException {
        return CephCluster.connect(conf(), USER);
    }

    /** A name no other test run uses: {@code ember-test-<what>-<random>}. */
    static String uniqueName(String what) {
        return "ember-test-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Removes an image and all its snapshots, ignoring "not found". */
    static void removeImageQuietly(Pool pool, String name) {
        dev.ember.testing.LocalCeph.removeImageQuietly(pool, name);
    }
}
