package dev.ember;

import dev.ember.config.Config;
import dev.ember.driver.BackupDriver;

import java.util.concurrent.ExecutorService;

/** Builds the backup driver named by {@code backup_driver}, accepting cinder's class paths. */
public final class Drivers {

    private Drivers() {
    }

    public static BackupDriver create(Config config, ExecutorService pool) throws Exception {
        String name = config.get("backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver");
        if (name.startsWith("cinder.backup.drivers.posix") || name.equals("posix")) {
            return dev.ember.driver.chunked.PosixBackupDriver.create(config, pool);
        }
        if (name.startsWith("cinder.backup.drivers.ceph") || name.equals("ceph")) {
            return dev.ember.driver.rbd.RbdBackupDriver.create(config);
        }
        throw new IllegalArgumentException("backup_driver " + name + " is not supported by Ember (supported: "
                + "cinder.backup.drivers.posix.PosixBackupDriver, cinder.backup.drivers.ceph.CephBackupDriver)");
    }
}
