package dev.ember.rpc.oslo;

import dev.ember.error.CinderException;
import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.BackupRpcEndpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A fake backup manager that records every call ("method arg1 arg2 ..."), with the thread it ran on. */
public class RecordingEndpoint implements BackupRpcEndpoint, BackupRpcExtras {

    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<String> threads = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch latch = new CountDownLatch(0);
    /** A backup id that makes every method fail with BackupNotFound. */
    public static final String MISSING = "00000000-0000-0000-0000-000000000404";
    /** create_backup of this id blocks until {@link #release} counts down. */
    public static final String SLOW = "slow";
    public final CountDownLatch release = new CountDownLatch(1);

    public synchronized CountDownLatch expect(int n) {
        latch = new CountDownLatch(n);
        return latch;
    }

    public boolean await(int n, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (calls.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return calls.size() >= n;
    }

    private void record(String s, String backupId) {
        calls.add(s);
        threads.add(Thread.currentThread().getName());
        latch.countDown();
        if (MISSING.equals(backupId)) {
            throw CinderException.backupNotFound(backupId);
        }
    }

    @Override
    public void createBackup(String backupId) {
        record("create_backup " + backupId, backupId);
        if (SLOW.equals(backupId)) {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void restoreBackup(String backupId, String volumeId, boolean volumeIsNew) {
        record("restore_backup " + backupId + " " + volumeId + " " + volumeIsNew, backupId);
    }

    @Override
    public void deleteBackup(String backupId) {
        record("delete_backup " + backupId, backupId);
    }

    @Override
    public void resetStatus(String backupId, String status) {
        record("reset_status " + backupId + " " + status, backupId);
    }

    @Override
    public BackupRpc.ExportedRecord exportRecord(String backupId) {
        record("export_record " + backupId, backupId);
        return new BackupRpc.ExportedRecord("cinder.backup.drivers.posix.PosixBackupDriver", "url-of-" + backupId);
    }

    @Override
    public void importRecord(String backupId, String backupService, String backupUrl, List<String> backupHosts) {
        record("import_record " + backupId + " " + backupService + " " + backupUrl + " " + backupHosts, backupId);
    }

    @Override
    public boolean checkSupportToForceDelete() {
        record("check_support_to_force_delete", null);
        return true;
    }

    @Override
    public void continueBackup(BackupObject backup, BackupDeviceInfo device) {
        record("continue_backup " + backup.id() + " " + device.volume().id(), backup.id());
    }

    @Override
    public void publishServiceCapabilities() {
        record("publish_service_capabilities", null);
    }

    @Override
    public void setLogLevels(LogLevel request) {
        record("set_log_levels " + request.prefix() + " " + request.level(), null);
    }

    @Override
    public List<LogLevel> getLogLevels(LogLevel request) {
        record("get_log_levels " + request.prefix(), null);
        return new ArrayList<>(List.of(new LogLevel("dev.ember", "INFO")));
    }
}
