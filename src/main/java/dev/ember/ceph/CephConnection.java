package dev.ember.ceph;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A component's connection to Ceph as one cephx user, kept across lost sessions: every
 * operation takes a {@link Lease} for its duration, a connection found lost (an operation timed
 * out, the client was blocklisted: {@link CephCluster#markLostIf}) is replaced for the next
 * operation, and the replaced one is shut down once the last operation that leased it has ended.
 * Until then those operations keep their pools and images on it: closing under them would pull
 * the native handles away from a running call. Without this a long outage piled up one retired
 * librados client (threads, a monitor session) per lost session until the process stopped.
 *
 * <p>Connects lazily, on the first lease. Pools a component keeps open for good (the volume
 * backend's {@code rbd_pool}) come from {@link Lease#pool}: one per connection, closed with it.
 * Every method that connects blocks.
 */
public final class CephConnection implements AutoCloseable {

    private final LeasedHandles<Session> sessions;

    private CephConnection(LeasedHandles.Opener<Session> opener, String what) {
        this.sessions = new LeasedHandles<>(opener, what);
    }

    /**
     * A connection as {@code user} with {@code confFile} ({@code keyring} nullable: the config's);
     * {@code what} names its owner in log lines.
     */
    public static CephConnection of(Path confFile, String user, Path keyring, String what) {
        Objects.requireNonNull(confFile, "confFile");
        Objects.requireNonNull(user, "user");
        return new CephConnection(() -> new Session(CephCluster.connect(confFile, user, keyring)), what);
    }

    /** The current connection for one operation, connecting (again) when there is none or it was lost. */
    public Lease lease() throws CephException {
        return new Lease(sessions.lease());
    }

    /** The current connection's cluster handle; null when none is open. For monitoring and tests. */
    public CephCluster current() {
        Session s = sessions.current();
        return s == null ? null : s.cluster;
    }

    /** Replaced connections still open because operations on them are still running. */
    public List<CephCluster> retiredOpen() {
        return sessions.retiredOpen().stream().map(s -> s.cluster).toList();
    }

    /** Connections shut down so far (retired ones, and the current one on close). */
    public long closedCount() {
        return sessions.closedCount();
    }

    /** No new leases; the current connection shuts down now, or when its last lease is released. */
    @Override
    public void close() {
        sessions.close();
    }

    /** One use of the connection; closing it releases the lease (closing twice is harmless). */
    public static final class Lease implements AutoCloseable {
        private final LeasedHandles.Lease<Session> lease;

        private Lease(LeasedHandles.Lease<Session> lease) {
            this.lease = lease;
        }

        /** The cluster this operation runs on; pools opened from it are the caller's to close. */
        public CephCluster cluster() {
            return lease.handle().cluster;
        }

        /** The connection's long-lived handle on {@code name}: opened on first use, closed with the connection. */
        public Pool pool(String name) throws CephException {
            return lease.handle().pool(name);
        }

        /**
         * Marks the connection lost when {@code failure} shows a lost session; with no other
         * lease out it is shut down at once (after {@link #close()}) rather than at the next lease.
         */
        public void noteFailure(Throwable failure) {
            lease.entryHandle().cluster.markLostIf(failure);
            lease.review();
        }

        @Override
        public void close() {
            lease.close();
        }
    }

    /** A cluster handle and the pools kept open on it. */
    static final class Session implements LeasedHandles.Handle {
        final CephCluster cluster;
        private final Map<String, Pool> pools = new HashMap<>();

        Session(CephCluster cluster) {
            this.cluster = cluster;
        }

        synchronized Pool pool(String name) throws CephException {
            Pool p = pools.get(name);
            if (p == null || p.isClosed()) {
                p = cluster.openPool(name);
                pools.put(name, p);
            }
            return p;
        }

        @Override
        public boolean isLost() {
            return cluster.isLost() || cluster.isClosed();
        }

        /** Shuts the cluster down, which closes its pools. */
        @Override
        public void close() {
            cluster.close();
        }
    }
}
