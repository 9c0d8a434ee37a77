package dev.ember.ceph;

/** The RADOS object does not exist (-ENOENT). */
public class ObjectNotFoundException extends CephException {
    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String call, String target, int returnCode) {
        super(call, target, returnCode);
    }
}
