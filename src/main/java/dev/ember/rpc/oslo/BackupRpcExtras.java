package dev.ember.rpc.oslo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The cinder-backup RPC methods that {@link dev.ember.rpc.BackupRpcEndpoint} does not cover
 * (it is transport-neutral and only has what Ember's own API sends). A broker deployment can also
 * receive these from stock cinder services. {@link #defaults()} gives behaviour that is safe
 * without any wiring.
 */
public interface BackupRpcExtras {

    /**
     * cinder-volume's answer to a {@code get_backup_device} cast. By default logged and dropped; with a
     * {@link ContinueBackupHandler} (remote volume backend) the backup proceeds on the given device.
     */
    void continueBackup(BackupObject backup, BackupDeviceInfo device);

    /** cinder-scheduler's fanout at its start-up: report capabilities now. Default: nothing. */
    void publishServiceCapabilities();

    /** {@code PUT /os-services/set-log}: change the level of loggers whose name starts with the prefix. */
    void setLogLevels(LogLevel request);

    /** {@code PUT /os-services/get-log}: current levels of loggers whose name starts with the prefix. */
    List<LogLevel> getLogLevels(LogLevel request);

    static BackupRpcExtras defaults() {
        return new Defaults(null, null);
    }

    /** Defaults, with {@code onPublishCapabilities} run for publish_service_capabilities. */
    static BackupRpcExtras defaults(Runnable onPublishCapabilities) {
        return new Defaults(onPublishCapabilities, null);
    }

    /**
     * Defaults, with {@code onPublishCapabilities} run for publish_service_capabilities and
     * {@code onContinue} (nullable: logged and dropped) for continue_backup.
     */
    static BackupRpcExtras defaults(Runnable onPublishCapabilities, ContinueBackupHandler onContinue) {
        return new Defaults(onPublishCapabilities, onContinue);
    }

    final class Defaults implements BackupRpcExtras {
        private static final Logger LOG = LoggerFactory.getLogger(BackupRpcExtras.class);
        private final Runnable onPublish;
        private final ContinueBackupHandler onContinue;

        Defaults(Runnable onPublish, ContinueBackupHandler onContinue) {
            this.onPublish = onPublish;
            this.onContinue = onContinue;
        }

        @Override
        public void continueBackup(BackupObject backup, BackupDeviceInfo device) {
            if (onContinue != null) {
                onContinue.continueBackup(backup, device);
                return;
            }
            LOG.warn("continue_backup for backup {} ignored: Ember does not request backup devices from "
                    + "cinder-volume", backup.id());
        }

        @Override
        public void publishServiceCapabilities() {
            if (onPublish != null) {
                onPublish.run();
            } else {
                LOG.debug("publish_service_capabilities: nothing to publish");
            }
        }

        @Override
        public void setLogLevels(LogLevel request) {
            LogLevels.set(request.prefix(), request.level());
        }

        @Override
        public List<LogLevel> getLogLevels(LogLevel request) {
            return LogLevels.get(request.prefix());
        }
    }
}
