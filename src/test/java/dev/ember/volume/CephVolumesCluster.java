package dev.ember.volume;

import java.nio.file.Path;

/** The volume-service tests' view of the checkout's one-node Ceph: pool {@code volumes}, user {@code cinder}. */
public final class CephVolumesCluster {
    public static final String USER = "cinder";
    public static final String POOL = "volumes";
    private CephVolumesCluster() {
    }

    public static Path conf() {
        return dev.ember.testing.LocalCeph.conf();
    }
}
