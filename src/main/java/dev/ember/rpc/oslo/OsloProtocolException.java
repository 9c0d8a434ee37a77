package dev.ember.rpc.oslo;

/** A message that does not follow oslo.messaging's wire format (or cinder's argument shapes). */
public class OsloProtocolException extends RuntimeException {

    public OsloProtocolException(String message) {
        super(message);
    }

    public OsloProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
