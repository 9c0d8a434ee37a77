package dev.ember.model;

import java.util.Arrays;
import java.util.Optional;

/** cinder's {@code fields.SnapshotStatus} (cinder/objects/fields.py, Zed), as stored in {@code snapshots.status}. */
public enum SnapshotStatus {
    ERROR("error"),
    AVAILABLE("available"),
    CREATING("creating"),
    DELETING("deleting"),
    DELETED("deleted"),
    UPDATING("updating"),
    ERROR_DELETING("error_deleting"),
    UNMANAGING("unmanaging"),
    BACKING_UP("backing-up"),
    RESTORING("restoring");

    private final String value;

    SnapshotStatus(String value) {
        this.value = value;
    }

    /** The string cinder stores. */
    public String value() {
        return value;
    }

    /** Whether {@code status} (a column's value, possibly null) is this status. */
    public boolean is(String status) {
        return value.equals(status);
    }

    /** The status named by a column's value; empty for null or a string cinder does not define. */
    public static Optional<SnapshotStatus> parse(String status) {
        return Arrays.stream(values()).filter(s -> s.value.equals(status)).findFirst();
    }

    @Override
    public String toString() {
        return value;
    }
}
