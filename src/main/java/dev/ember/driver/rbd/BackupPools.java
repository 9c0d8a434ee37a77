package dev.ember.driver.rbd;

import dev.ember.ceph.CephConnection;
import dev.ember.ceph.CephException;
import dev.ember.ceph.Pool;
import dev.ember.ceph.PoolNotFoundException;
import dev.ember.driver.BackupDriverException;
import dev.ember.driver.BackupRef;

import java.util.regex.Pattern;

/**
 * The pools backups live in, reached over the driver's one {@link CephConnection}: a backup's
 * container names its pool ({@code backup_ceph_pool} when it has none), and every call leases the
 * connection for its duration and opens the pool on it.
 */
final class BackupPools implements AutoCloseable {

    /** Pool names Ember accepts as a container (Ceph itself is laxer; cinder passes the name to the CLI). */
    private static final Pattern POOL_NAME = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,126}$");

    private final RbdOptions options;
    /** Every call leases it: a connection replaced after a lost session closes once its last call ends. */
    private final CephConnection connection;

    BackupPools(RbdOptions options) {
        this.options = options;
        this.connection = CephConnection.of(options.conf(), options.user(), null, "the backup driver");
    }

    /** The backup's pool name as stored, the configured pool when it has none; it may not be a valid name. */
    String containerName(BackupRef backup) {
        return backup.container() == null || backup.container().isBlank() ? options.pool() : backup.container();
    }

    static boolean isPoolName(String container) {
        return POOL_NAME.matcher(container).matches();
    }

    /** The backup's pool, refused when its container cannot be a pool name. */
    String container(BackupRef backup) throws BackupDriverException {
        String container = containerName(backup);
        if (!isPoolName(container)) {
            throw new BackupDriverException("Invalid container '" + container + "' for the Ceph backup driver: the "
                    + "container is the name of a Ceph pool (letters, digits, '_', '-', '.')");
        }
        return container;
    }

    /** The connection for one call, (re)connecting when there is none or the last one lost its session. */
    CephConnection.Lease lease() throws BackupDriverException {
        try {
            return connection.lease();
        } catch (CephException e) {
            throw new BackupDriverException("Cannot connect to Ceph as client." + options.user() + " with "
                    + options.conf() + ": " + RbdErrors.describe(e), e);
        }
    }

    /** Opens pool {@code name} for one call; it must exist. */
    Pool open(CephConnection.Lease lease, String name) throws BackupDriverException {
        try {
            return lease.cluster().openPool(name);
        } catch (PoolNotFoundException e) {
            throw new BackupDriverException("Backup pool '" + name + "' does not exist in the Ceph cluster of "
                    + options.conf());
        } catch (CephException e) {
            throw new BackupDriverException("Cannot open backup pool '" + name + "': " + RbdErrors.describe(e), e);
        }
    }

    CephConnection connection() {
        return connection;
    }

    /** No new calls; a call still running keeps the connection open until it ends. */
    @Override
    public void close() {
        connection.close();
    }
}
