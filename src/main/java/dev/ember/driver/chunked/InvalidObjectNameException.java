package dev.ember.driver.chunked;

import java.io.IOException;

/** A container or object name an {@link ObjectStore} refuses, e.g. one that would escape its root. */
public final class InvalidObjectNameException extends IOException {

    public InvalidObjectNameException(String message) {
        super(message);
    }
}
