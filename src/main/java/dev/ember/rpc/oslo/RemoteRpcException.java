package dev.ember.rpc.oslo;

/**
 * A failure reply that is not a cinder exception (oslo's {@code RemoteError}): e.g. the dispatcher's
 * NoSuchMethod/UnsupportedVersion or an unexpected error in the remote service.
 */
public class RemoteRpcException extends RuntimeException {

    private final RemoteFailure failure;

    public RemoteRpcException(RemoteFailure failure) {
        super("Remote error: " + failure.className() + " " + failure.message(), null, false, false);
        this.failure = failure;
    }

    public RemoteFailure failure() {
        return failure;
    }

    public String exceptionClass() {
        return failure.className();
    }
}
