package dev.ember.driver;

/** Receives the number of bytes of the volume processed so far. Must be cheap and thread-safe. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = done -> { };

    void progress(long bytesDone);
}
