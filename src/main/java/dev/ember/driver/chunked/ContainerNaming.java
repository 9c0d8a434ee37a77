package dev.ember.driver.chunked;

import dev.ember.driver.BackupRef;

/**
 * Which container a backup's objects go to (cinder's {@code update_container_name} plus the
 * driver default). The answer is saved as {@code backups.container}.
 */
@FunctionalInterface
public interface ContainerNaming {

    String containerFor(BackupRef backup);

    /** cinder posix/nfs: the requested container, else {@code <id[0:2]>/<id[2:4]>/<id>}. */
    ContainerNaming POSIX = backup -> backup.container() != null
            ? backup.container()
            : backup.id().substring(0, 2) + "/" + backup.id().substring(2, 4) + "/" + backup.id();
}
