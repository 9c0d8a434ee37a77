package dev.ember.rpc.oslo;

/**
 * What Ember does with cinder-volume's {@code continue_backup(backup, backup_device)} cast, the answer
 * to a {@code get_backup_device} cast (async_call=True): attach the given device and finish the
 * backup. Runs on a manager worker; may block for the whole backup.
 */
@FunctionalInterface
public interface ContinueBackupHandler {

    void continueBackup(BackupObject backup, BackupDeviceInfo device);
}
