package dev.ember.ceph;

import java.time.Instant;

/** {@code rados_stat} of an object: its size and modification time (seconds resolution). */
public record ObjectStat(String oid, long size, Instant mtime) {
}
