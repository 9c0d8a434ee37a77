package dev.ember;

import java.util.Set;

/**
 * The service roles one Ember process can take, shaped like cinder's binaries so that a service
 * unit swaps the program path and nothing else.
 *
 * <p>Why roles rather than one profile: on a host where cinder-api already holds the API port and
 * cinder-volume owns the volumes, a cinder-backup replacement must open no port and must reach
 * volumes the way cinder-backup does (through cinder-volume); the embedded profile, which has no
 * cinder-volume beside it, serves its own volume API over file or RBD volumes instead.
 */
public enum Role {
    /**
     * cinder-backup's role: the backup manager on the broker, registered as a {@code cinder-backup}
     * service; no HTTP; volumes through cinder-volume ({@code get_backup_device},
     * {@code initialize_connection}); the database is cinder's, used as {@code cinder-manage db
     * sync} made it.
     */
    BACKUP("cinder-backup", false, "cinder", Set.of("cinder")),
    /**
     * cinder-api's part for backups: the backup REST API alone, over cinder's database (as
     * {@code cinder-manage db sync} made it), casting the work to the {@code cinder-backup} hosts
     * and new volumes to cinder-scheduler over the broker; no backup manager, no volume backend, no
     * service row (cinder-api has none either).
     */
    API("ember-api", true, null, Set.of()),
    /** The embedded all-in-one profile of {@code ./devstack/ember up}: the API and the manager. */
    ALL("ember", true, "file", Set.of("file", "rbd", "cinder"));

    private final String logName;
    private final boolean servesHttp;
    private final String defaultVolumeBackend;
    private final Set<String> volumeBackends;

    Role(String logName, boolean servesHttp, String defaultVolumeBackend, Set<String> volumeBackends) {
        this.logName = logName;
        this.servesHttp = servesHttp;
        this.defaultVolumeBackend = defaultVolumeBackend;
        this.volumeBackends = volumeBackends;
    }

    /**
     * The log file's name under {@code log_dir} when {@code log_file} is not given. oslo.log names
     * it after the program; the backup role keeps the service's name, so whatever watches
     * {@code cinder-backup.log} keeps working after the swap. The api role runs beside cinder-api
     * (which keeps the other API routes), so it must not write into {@code cinder-api.log}.
     */
    public String logName() {
        return logName;
    }

    public boolean servesHttp() {
        return servesHttp;
    }

    /** The volume backend when {@code volume_backend} (Ember's own option) is absent. */
    public String defaultVolumeBackend() {
        return defaultVolumeBackend;
    }

    public boolean allowsVolumeBackend(String name) {
        return volumeBackends.contains(name);
    }

    /** Whether this role runs a backup manager (consumes the {@code cinder-backup} topic). */
    public boolean runsManager() {
        return this != API;
    }

    /** Whether Ember creates its tables: only where the database may be Ember's own. */
    public boolean migratesSchema() {
        return this == ALL;
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
