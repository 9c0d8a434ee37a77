package dev.ember.driver;

/** Receives the number of bytes of the volume processed so far. Must be cheap and thread-safe. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = done -> { };

    void progress(long bytesDone);

    /**
     * Thrown by a listener to stop the backup it is told about (cinder's chunked driver checks the
     * backup's status at every chunk): the driver removes what it wrote, as after any failure, and
     * throws {@link BackupDriverException.Cancelled}.
     */
    final class Stop extends RuntimeException {
        public Stop(String message) {
            super(message, null, false, false);
        }
    }
}
