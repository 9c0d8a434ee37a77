package dev.ember.ceph;

/** The snapshot does not exist (-ENOENT on a snapshot call). A subclass of {@link ImageNotFoundException}, as python-rbd raises ImageNotFound for both. */
public class SnapshotNotFoundException extends ImageNotFoundException {
    private static final long serialVersionUID = 1L;

    public SnapshotNotFoundException(String call, String target, int returnCode) {
        super(call, target, returnCode);
    }
}
