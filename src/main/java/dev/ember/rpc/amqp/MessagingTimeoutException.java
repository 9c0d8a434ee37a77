package dev.ember.rpc.amqp;

/** oslo.messaging's MessagingTimeout: no reply to a call within rpc_response_timeout. */
public class MessagingTimeoutException extends RuntimeException {

    public MessagingTimeoutException(String message) {
        super(message, null, false, false);
    }
}
