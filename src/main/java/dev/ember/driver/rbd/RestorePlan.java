package dev.ember.driver.rbd;

/** How one RBD restore reads the backup, decided by {@link RestorePlanner}. */
public sealed interface RestorePlan {

    /** Copy {@code image} (at {@code snapshot}, when not null) onto the target in chunks. */
    record FullCopy(String image, String snapshot) implements RestorePlan {
    }

    /** Copy only the allocated extents of {@code base@snapshot} into the empty target. */
    record Differential(String base, String snapshot) implements RestorePlan {
    }

    /** The backup's data cannot be found: the restore must fail without touching the target. */
    record Missing(String reason) implements RestorePlan {
    }
}
