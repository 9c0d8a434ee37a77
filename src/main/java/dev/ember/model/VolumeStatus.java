package dev.ember.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * cinder's {@code fields.VolumeStatus} (cinder/objects/fields.py, Zed), as stored in
 * {@code volumes.status} and {@code volumes.previous_status}. The column is a free string in
 * cinder's schema, so a value read from it is parsed with {@link #parse}, which tolerates
 * strings outside the enum (another service may write them).
 */
public enum VolumeStatus {
    CREATING("creating"),
    AVAILABLE("available"),
    DELETING("deleting"),
    ERROR("error"),
    ERROR_DELETING("error_deleting"),
    ERROR_MANAGING("error_managing"),
    MANAGING("managing"),
    ATTACHING("attaching"),
    IN_USE("in-use"),
    DETACHING("detaching"),
    MAINTENANCE("maintenance"),
    RESTORING_BACKUP("restoring-backup"),
    ERROR_RESTORING("error_restoring"),
    RESERVED("reserved"),
    AWAITING_TRANSFER("awaiting-transfer"),
    BACKING_UP("backing-up"),
    ERROR_BACKING_UP("error_backing-up"),
    ERROR_EXTENDING("error_extending"),
    DOWNLOADING("downloading"),
    UPLOADING("uploading"),
    RETYPING("retyping"),
    EXTENDING("extending");

    private final String value;

    VolumeStatus(String value) {
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
    public static Optional<VolumeStatus> parse(String status) {
        return Arrays.stream(values()).filter(s -> s.value.equals(status)).findFirst();
    }

    @Override
    public String toString() {
        return value;
    }
}
