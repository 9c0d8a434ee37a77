package dev.ember.ceph;

/** An RBD snapshot as {@code rbd_snap_list} reports it: id, name and the image size at the snapshot. */
public record Snapshot(long id, String name, long size) {
}
