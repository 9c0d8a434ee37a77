package dev.ember.ceph;

/** The image still has snapshots and cannot be removed (-ENOTEMPTY). */
public class ImageHasSnapshotsException extends CephException {
    private static final long serialVersionUID = 1L;

    public ImageHasSnapshotsException(String call, String target, int returnCode) {
        super(call, target, returnCode);
    }
}
