package dev.ember.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * One allowed change of a snapshot's {@code status}, applied by the repository as a
 * compare-and-set from {@code from}.
 *
 * @param name for logs and tests
 * @param from statuses the snapshot may be in
 * @param to   the status it gets
 */
public record SnapshotTransition(String name, Set<SnapshotStatus> from, SnapshotStatus to) {

    public SnapshotTransition {
        from = Set.copyOf(EnumSet.copyOf(from));
    }

    /** Whether the snapshot may take this transition from {@code status} (a column's value). */
    public boolean allows(String status) {
        return SnapshotStatus.parse(status).map(from::contains).orElse(false);
    }
}
