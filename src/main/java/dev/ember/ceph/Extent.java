package dev.ember.ceph;

/**
 * One extent from {@code rbd_diff_iterate2}: {@code [offset, offset+length)} changed since the
 * from-snapshot; {@code exists=false} means it now reads as zeros (discarded / never written).
 */
public record Extent(long offset, long length, boolean exists) {
    public long end() {
        return offset + length;
    }
}
