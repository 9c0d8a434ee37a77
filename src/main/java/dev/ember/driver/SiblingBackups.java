package dev.ember.driver;

import java.util.Set;

/**
 * What the database says about the other live backups of a volume when one of its backups
 * starts, for a driver that keeps state on the source volume for the next incremental (the Ceph
 * driver's backup snapshots). cinder-api chooses an incremental's parent per project: the
 * newest backup of the volume in the caller's project. So a new backup supersedes the earlier
 * backups of its own project, while the newest backup of every other project stays the parent
 * that project's next incremental will name.
 *
 * @param ownProject live backups of the volume in the new backup's project (the new one aside);
 *                   null when the caller does not know projects: every backup then counts as
 *                   the new backup's project's (a volume backed up by one project)
 * @param otherHeads for each other project with live backups of the volume, the newest one
 *                   (cinder-api's parent choice for that project's next incremental)
 */
public record SiblingBackups(Set<String> ownProject, Set<String> otherHeads) {

    /** No database at hand: one project owns every backup of the volume. */
    public static final SiblingBackups ONE_PROJECT = new SiblingBackups(null, Set.of());

    public SiblingBackups {
        ownProject = ownProject == null ? null : Set.copyOf(ownProject);
        otherHeads = otherHeads == null ? Set.of() : Set.copyOf(otherHeads);
    }

    /** Whether {@code backupId} belongs to the new backup's project (always, when projects are unknown). */
    public boolean inOwnProject(String backupId) {
        return ownProject == null ? !otherHeads.contains(backupId) : ownProject.contains(backupId);
    }

    /** Whether another project's next incremental will name {@code backupId} as its parent. */
    public boolean isOtherProjectsHead(String backupId) {
        return otherHeads.contains(backupId);
    }
}
