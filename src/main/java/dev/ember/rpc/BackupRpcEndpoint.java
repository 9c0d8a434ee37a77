package dev.ember.rpc;

import java.util.List;

/**
 * The server side of the backup RPC API: what a cinder-backup host (Ember's backup manager)
 * executes when a message for it arrives. Methods block until the work is done.
 */
public interface BackupRpcEndpoint {

    void createBackup(String backupId);

    void restoreBackup(String backupId, String volumeId, boolean volumeIsNew);

    void deleteBackup(String backupId);

    void resetStatus(String backupId, String status);

    BackupRpc.ExportedRecord exportRecord(String backupId);

    void importRecord(String backupId, String backupService, String backupUrl, List<String> backupHosts);

    boolean checkSupportToForceDelete();
}
