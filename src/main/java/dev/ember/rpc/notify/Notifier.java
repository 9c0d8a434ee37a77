package dev.ember.rpc.notify;

import dev.ember.model.Backup;
import dev.ember.rpc.oslo.RpcContext;

import java.util.List;
import java.util.Map;

/**
 * oslo.messaging's notifier as cinder's backup manager uses it ({@code rpc.get_notifier("backup", host)}):
 * INFO notifications with publisher {@code backup.<host>}. Implementations never throw: a
 * notification that cannot be sent is logged and dropped, as oslo does.
 *
 * <p>Which events the manager emits, with {@link BackupUsage#of} as payload:
 * {@code backup.create.start/end}, {@code backup.delete.start/end}, {@code backup.restore.start/end},
 * {@code backup.reset_status.end}, and (chunked drivers) {@code backup.createprogress}.
 */
public interface Notifier {

    /** Sends {@code event_type} with priority INFO. */
    void info(RpcContext context, String eventType, Map<String, Object> payload);

    /** Whether notifications go anywhere (callers may skip building payloads). */
    boolean enabled();

    /** cinder's {@code notify_about_backup_usage(context, backup, suffix, extra)}: event {@code backup.<suffix>}. */
    default void backupUsage(RpcContext context, BackupUsage.Source backup, String eventSuffix,
                             Map<String, Object> extra) {
        if (enabled()) {
            info(context, "backup." + eventSuffix, BackupUsage.of(backup, extra));
        }
    }

    /**
     * {@link #backupUsage(RpcContext, BackupUsage.Source, String, Map)} for the backup as the
     * database has it, in the context cinder's manager uses: the backup's user and project, as
     * admin. Keeps the oslo context out of the manager.
     */
    default void backupUsage(Backup backup, String eventSuffix, Map<String, Object> extra) {
        backupUsage(RpcContext.of(backup.userId(), backup.projectId(), true, List.of("admin"), null, null, null),
                BackupUsage.Source.of(backup), eventSuffix, extra);
    }

    /** Notifications off ({@code [oslo_messaging_notifications] driver} empty or {@code noop}). */
    static Notifier noop() {
        return NoopNotifier.INSTANCE;
    }

    final class NoopNotifier implements Notifier {
        static final NoopNotifier INSTANCE = new NoopNotifier();

        private NoopNotifier() {
        }

        @Override
        public void info(RpcContext context, String eventType, Map<String, Object> payload) {
        }

        @Override
        public boolean enabled() {
            return false;
        }
    }
}
