package dev.ember.ceph;

/** An image or snapshot of that name already exists (-EEXIST). */
public class ImageExistsException extends CephException {
    private static final long serialVersionUID = 1L;

    public ImageExistsException(String call, String target, int returnCode) {
        super(call, target, returnCode);
    }
}
