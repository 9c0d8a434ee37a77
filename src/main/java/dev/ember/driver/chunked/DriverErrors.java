package dev.ember.driver.chunked;

import dev.ember.driver.BackupDriverException;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Turns I/O failures into {@link BackupDriverException}s whose message is fit for
 * {@code fail_reason}: it says what Ember was doing and what went wrong.
 */
final class DriverErrors {

    private DriverErrors() {
    }

    static BackupDriverException of(String doing, Throwable e) {
        if (isDiskFull(e)) {
            return new BackupDriverException("The backup repository is full (No space left on device) while "
                    + doing + "; free space in the backup storage and try again.", e);
        }
        if (e instanceof InvalidObjectNameException || e instanceof CorruptBackupException) {
            return new BackupDriverException(e.getMessage(), e);
        }
        if (e instanceof NoSuchFileException nf) {
            return new BackupDriverException(capitalise(doing) + " failed: " + nf.getFile() + " does not exist.", e);
        }
        if (e instanceof AccessDeniedException ad) {
            return new BackupDriverException(capitalise(doing) + " failed: permission denied on " + ad.getFile() + ".", e);
        }
        String detail = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new BackupDriverException(capitalise(doing) + " failed: " + detail, e);
    }

    static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
