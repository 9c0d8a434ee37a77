package dev.ember.ceph;

/** The image is in use (-EBUSY): it has watchers (open elsewhere), or the snapshot is protected or has children. */
public class ImageBusyException extends CephException {
    private static final long serialVersionUID = 1L;

    public ImageBusyException(String call, String target, int returnCode) {
        super(call, target, returnCode);
    }
}
