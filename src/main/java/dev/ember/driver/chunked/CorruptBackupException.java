package dev.ember.driver.chunked;

import java.io.IOException;

/** Stored backup data that does not match its metadata; the message names the object. */
final class CorruptBackupException extends IOException {

    CorruptBackupException(String message) {
        super(message);
    }
}
