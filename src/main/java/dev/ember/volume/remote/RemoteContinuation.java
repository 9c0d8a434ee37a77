package dev.ember.volume.remote;

import dev.ember.rpc.oslo.BackupDeviceInfo;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.ContinueBackupHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * continue_backup for a manager that obtains its source through {@link RemoteVolumeBackend}: the
 * device cinder-volume sent is handed to the backend ({@link RemoteVolumeBackend#supply}), then the
 * manager's create path runs for the backup ({@code createBackup}: status checks, driver, finish);
 * its {@code openBackupSource} picks the supplied device instead of calling get_backup_device.
 */
public final class RemoteContinuation implements ContinueBackupHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteContinuation.class);

    private final RemoteVolumeBackend backend;
    private final Consumer<String> createBackup;

    /** @param createBackup the manager's create_backup (e.g. {@code manager::createBackup}) */
    public RemoteContinuation(RemoteVolumeBackend backend, Consumer<String> createBackup) {
        this.backend = backend;
        this.createBackup = createBackup;
    }

    @Override
    public void continueBackup(BackupObject backup, BackupDeviceInfo device) {
        LOG.info("continue_backup for backup {} (device {} {})", backup.id(),
                device.isSnapshot() ? "snapshot" : "volume",
                device.isSnapshot() ? device.snapshot().string("id") : device.volume().id());
        backend.supply(backup, device);
        try {
            createBackup.accept(backup.id());
        } finally {
            backend.forget(backup.id());
        }
    }
}
