package dev.ember.ceph;

/** The image (or the snapshot it was opened at) does not exist (-ENOENT). */
public class ImageNotFoundException extends CephException {
    private static final long serialVersionUID = 1L;

    public ImageNotFoundException(String call, String target, int returnCode) {
        super(call, target, returnCode);
    }
}
