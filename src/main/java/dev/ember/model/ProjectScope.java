package dev.ember.model;

import java.util.Objects;

/**
 * Which projects' rows a list shows. Never "null means everything": a caller without a project
 * (a domain- or system-scoped token) gets cinder's {@code filter_by(project_id=None)}, which
 * matches no project's rows; every project only when asked for explicitly ({@link #ALL}: an admin
 * with {@code all_tenants}).
 */
public final class ProjectScope {

    /** Every project: cinder's {@code get_all} for an admin with all_tenants. */
    public static final ProjectScope ALL = new ProjectScope(true, null);

    private final boolean all;
    private final String projectId;

    private ProjectScope(boolean all, String projectId) {
        this.all = all;
        this.projectId = projectId;
    }

    /** Rows of {@code projectId}; null (no project in the token) matches rows without a project, i.e. none. */
    public static ProjectScope of(String projectId) {
        return new ProjectScope(false, projectId);
    }

    public boolean all() {
        return all;
    }

    /** The project filtered on (null also when the caller has none); meaningless for {@link #ALL}. */
    public String projectId() {
        return projectId;
    }

    /** Whether a row of {@code rowProject} is in scope (as the repositories' queries decide). */
    public boolean includes(String rowProject) {
        return all || Objects.equals(projectId, rowProject);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProjectScope p && p.all == all && Objects.equals(p.projectId, projectId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(all, projectId);
    }

    @Override
    public String toString() {
        return all ? "all projects" : projectId == null ? "no project" : "project " + projectId;
    }
}
