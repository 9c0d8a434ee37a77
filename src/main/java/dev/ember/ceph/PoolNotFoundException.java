package dev.ember.ceph;

/** The pool does not exist (-ENOENT). */
public class PoolNotFoundException extends CephException {
    private static final long serialVersionUID = 1L;

    public PoolNotFoundException(String call, String target, int returnCode) {
        super(call, target, returnCode);
    }
}
