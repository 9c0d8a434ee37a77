package dev.ember.rpc;

import java.util.List;

/**
 * The client side of cinder's backup RPC API (cinder/backup/rpcapi.py), as the API layer uses it.
 * Casts return once the message is accepted by the transport; calls wait for the answer.
 * Implementations: in-process (embedded profile) and, later, oslo.messaging over RabbitMQ; the
 * callers do not know which.
 */
public interface BackupRpc {

    void createBackup(String host, String backupId);

    void restoreBackup(String host, String backupId, String volumeId, boolean volumeIsNew);

    void deleteBackup(String host, String backupId);

    void resetStatus(String host, String backupId, String status);

    /** A call: {@code {backup_service, backup_url}}. */
    ExportedRecord exportRecord(String host, String backupId);

    void importRecord(String host, String backupId, String backupService, String backupUrl, List<String> backupHosts);

    /** A call: whether the host's driver allows force delete. */
    boolean checkSupportToForceDelete(String host);

    /** What export_record answers. */
    record ExportedRecord(String backupService, String backupUrl) {
    }
}
