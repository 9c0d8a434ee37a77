package dev.ember.driver.chunked;

import dev.ember.config.Config;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;

/**
 * The posix flavour of the chunked driver (cinder's {@code PosixBackupDriver}): objects are files
 * under {@code backup_posix_path}.
 */
public final class PosixBackupDriver {

    public static final String SERVICE_NAME = "cinder.backup.drivers.posix.PosixBackupDriver";

    /** oslo.config's default for {@code state_path} in cinder. */
    static final String DEFAULT_STATE_PATH = "/var/lib/cinder";

    private PosixBackupDriver() {
    }

    /** A driver configured from cinder.conf's {@code [DEFAULT]} options. */
    public static ChunkedBackupDriver create(Config config, ExecutorService pool) {
        return create(backupPath(config), ChunkedOptions.fromConfig(config), pool, PipelineLimits.DEFAULT);
    }

    public static ChunkedBackupDriver create(Path root, ChunkedOptions options, ExecutorService pool,
                                             PipelineLimits limits) {
        return new ChunkedBackupDriver(SERVICE_NAME, new PosixObjectStore(root), ContainerNaming.POSIX, options,
                pool, limits);
    }

    /** {@code backup_posix_path}, default {@code $state_path/backup}. */
    static Path backupPath(Config config) {
        String path = config.get("backup_posix_path", null);
        if (path == null || path.isBlank()) {
            path = config.get("state_path", DEFAULT_STATE_PATH) + "/backup";
        }
        return Path.of(path.strip());
    }
}
