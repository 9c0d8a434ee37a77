package dev.ember.model;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * One allowed change of a volume's {@code status} (and {@code previous_status}, cinder's stash
 * of the status a volume returns to): the statuses it may start from, the status it sets, and
 * what it records as previous. The repository applies it as a compare-and-set, so a volume whose
 * status changed meanwhile is left alone. Pure: {@link #resolve} is the whole rule.
 *
 * @param name        for logs and tests
 * @param from        statuses the volume may be in
 * @param to          the new status; null with {@code toPrevious} for "back to previous_status",
 *                    null without it for "the status the caller requests" (reset-state)
 * @param toPrevious  whether the volume returns to its {@code previous_status} ({@code available}
 *                    when there is none, as Ember always did)
 * @param previous    what {@code previous_status} becomes
 */
public record VolumeTransition(String name, Set<VolumeStatus> from, VolumeStatus to, boolean toPrevious,
                               Previous previous) {

    /** What a transition writes to {@code previous_status}. */
    public record Previous(boolean stash, VolumeStatus value) {
        /** previous_status is left as it is. */
        public static final Previous KEEP = new Previous(false, null);
        /** previous_status := the status the volume had (cinder's backup create, extend). */
        public static final Previous STASH = new Previous(true, null);

        /** previous_status := {@code value}. */
        public static Previous set(VolumeStatus value) {
            return new Previous(false, value);
        }

        public boolean keeps() {
            return !stash && value == null;
        }
    }

    /** A status and previous_status the volume gets; {@code previousStatus} null when unchanged. */
    public record Change(String status, boolean setsPrevious, String previousStatus) {
    }

    public VolumeTransition {
        from = from.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(from));
        if (toPrevious && to != null) {
            throw new IllegalArgumentException(name + ": a fixed status and back-to-previous");
        }
    }

    /** Every status: transitions cinder applies whatever the volume's status is. */
    public static Set<VolumeStatus> any() {
        return EnumSet.allOf(VolumeStatus.class);
    }

    /** Every status but {@code excluded}. */
    public static Set<VolumeStatus> anyBut(VolumeStatus... excluded) {
        EnumSet<VolumeStatus> s = EnumSet.allOf(VolumeStatus.class);
        for (VolumeStatus e : excluded) {
            s.remove(e);
        }
        return s;
    }

    public static VolumeTransition to(String name, Set<VolumeStatus> from, VolumeStatus to, Previous previous) {
        return new VolumeTransition(name, from, to, false, previous);
    }

    public static VolumeTransition back(String name, Set<VolumeStatus> from, Previous previous) {
        return new VolumeTransition(name, from, null, true, previous);
    }

    /** A reset-state row: the target is the caller's. */
    public static VolumeTransition requested(String name, Set<VolumeStatus> from) {
        return new VolumeTransition(name, from, null, false, Previous.KEEP);
    }

    /** Whether the target is named by the caller ({@link #requested}). */
    public boolean isRequested() {
        return to == null && !toPrevious;
    }

    /** This reset-state row with the caller's target. */
    public VolumeTransition withTarget(VolumeStatus target) {
        if (!isRequested()) {
            throw new IllegalStateException(name + " has a fixed target");
        }
        return new VolumeTransition(name, from, target, false, previous);
    }

    /** Whether the volume may take this transition from {@code status} (a column's value). */
    public boolean allows(String status) {
        return VolumeStatus.parse(status).map(from::contains).orElse(false);
    }

    /**
     * What the volume at {@code status}/{@code previousStatus} becomes, or empty when this
     * transition is not allowed from {@code status}.
     */
    public Optional<Change> resolve(String status, String previousStatus) {
        if (!allows(status)) {
            return Optional.empty();
        }
        if (isRequested()) {
            throw new IllegalStateException(name + " needs the requested status (withTarget)");
        }
        String target = toPrevious ? (previousStatus == null ? VolumeStatus.AVAILABLE.value() : previousStatus)
                : to.value();
        if (previous.stash()) {
            return Optional.of(new Change(target, true, status));
        }
        if (previous.value() != null) {
            return Optional.of(new Change(target, true, previous.value().value()));
        }
        return Optional.of(new Change(target, false, null));
    }
}
