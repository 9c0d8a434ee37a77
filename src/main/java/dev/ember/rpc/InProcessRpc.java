package dev.ember.rpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The embedded profile's transport: casts run the endpoint on the manager's bounded worker pool,
 * calls run on the caller's (worker) thread. It keeps the same cast/call split as the AMQP
 * transport so the code paths above and below it are the ones a broker deployment uses.
 */
public final class InProcessRpc implements BackupRpc {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessRpc.class);

    private final String host;
    private final BackupRpcEndpoint endpoint;
    private final ExecutorService workers;

    public InProcessRpc(String host, BackupRpcEndpoint endpoint, ExecutorService workers) {
        this.host = host;
        this.endpoint = endpoint;
        this.workers = workers;
    }

    private void cast(String targetHost, String method, Runnable work) {
        if (!host.equals(targetHost)) {
            // Without a broker there is no way to reach another host: a configuration error.
            throw new IllegalStateException("in-process RPC cannot reach host " + targetHost);
        }
        try {
            workers.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.error("{} failed", method, e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("backup manager is shutting down", e);
        }
    }

    @Override
    public void createBackup(String host, String backupId) {
        cast(host, "create_backup", () -> endpoint.createBackup(backupId));
    }

    @Override
    public void restoreBackup(String host, String backupId, String volumeId, boolean volumeIsNew) {
        cast(host, "restore_backup", () -> endpoint.restoreBackup(backupId, volumeId, volumeIsNew));
    }

    @Override
    public void deleteBackup(String host, String backupId) {
        cast(host, "delete_backup", () -> endpoint.deleteBackup(backupId));
    }

    @Override
    public void resetStatus(String host, String backupId, String status) {
        cast(host, "reset_status", () -> endpoint.resetStatus(backupId, status));
    }

    @Override
    public ExportedRecord exportRecord(String host, String backupId) {
        return endpoint.exportRecord(backupId);
    }

    @Override
    public void importRecord(String host, String backupId, String backupService, String backupUrl,
                             List<String> backupHosts) {
        cast(host, "import_record", () -> endpoint.importRecord(backupId, backupService, backupUrl, backupHosts));
    }

    @Override
    public boolean checkSupportToForceDelete(String host) {
        return endpoint.checkSupportToForceDelete();
    }
}
