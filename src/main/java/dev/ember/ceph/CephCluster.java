package dev.ember.ceph;

import com.ceph.rados.IoCTX;
import com.ceph.rados.Rados;
import com.ceph.rados.exceptions.RadosException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection to a Ceph cluster as one cephx user (librados {@code rados_t}, through rados-java).
 * Open pools with {@link #openPool}; closing the cluster closes pools (and images) still open.
 *
 * <p><b>Blocking:</b> every method here, on {@link Pool} and on {@link RbdImage} is a blocking native
 * call (network round trips to the monitors/OSDs). Callers on a Vert.x event loop must run them on a
 * worker ({@code vertx.executeBlocking} or a worker verticle/executor), never on the loop itself.
 *
 * <pre>{@code
 * try (CephCluster cluster = CephCluster.connect(Path.of("data/ceph/ceph.conf"), "cinder");
 *      Pool pool = cluster.openPool("backups");
 *      RbdImage image = pool.openImage("volume-1")) { ... }
 * }</pre>
 */
public final class CephCluster implements AutoCloseable {
    /** How long connect waits for the monitors by default (librados' own default is 300 s). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final Guard<Rados> guard;
    private final String description;
    private final Set<Pool> pools = ConcurrentHashMap.newKeySet();

    private CephCluster(Rados rados, String description) {
        this.guard = new Guard<>(rados, description);
        this.description = description;
    }

    /** Connects with the keyring named by the config file (e.g. its {@code keyring} option). */
    /** How long one librados operation may take before it fails rather than hangs. */
    static final long OP_TIMEOUT_SECONDS = 300;

    public static CephCluster connect(Path confFile, String user) throws CephException {
        return connect(confFile, user, null, DEFAULT_CONNECT_TIMEOUT);
    }

    public static CephCluster connect(Path confFile, String user, Path keyring) throws CephException {
        return connect(confFile, user, keyring, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Connects as {@code user} ("cinder" or "client.cinder") using {@code confFile}; {@code keyring}
     * (nullable) overrides the config's keyring; {@code connectTimeout} bounds the wait for the monitors.
     */
    public static CephCluster connect(Path confFile, String user, Path keyring, Duration connectTimeout)
            throws CephException {
        Objects.requireNonNull(confFile, "confFile");
        Objects.requireNonNull(user, "user");
        String id = user.startsWith("client.") ? user.substring("client.".length()) : user;
        String description = "client." + id + "@" + confFile;
        if (!Files.isReadable(confFile)) {
            throw new CephException("rados_conf_read_file", description, -Errno.ENOENT,
                    "config file " + confFile + " is missing or unreadable");
        }
        if (keyring != null && !Files.isReadable(keyring)) {
            throw new CephException("rados_conf_set", description, -Errno.ENOENT,
                    "keyring " + keyring + " is missing or unreadable");
        }
        Rados rados = new Rados(id);
        boolean ok = false;
        String step = "rados_conf_read_file";
        try {
            rados.confReadFile(confFile.toFile());
            step = "rados_conf_set";
            if (keyring != null) {
                rados.confSet("keyring", keyring.toString());
            }
            long secs = Math.max(1, connectTimeout.toSeconds());
            rados.confSet("client_mount_timeout", Long.toString(secs));
            // Without these, an operation on a cluster that went away blocks its worker thread
            // forever and the backup never reaches a final state; with them it fails (ETIMEDOUT)
            // and the manager records the error.
            // A value the operator's ceph.conf sets wins.
            for (String option : new String[] {"rados_osd_op_timeout", "rados_mon_op_timeout"}) {
                if (isZero(rados.confGet(option))) {
                    rados.confSet(option, Long.toString(OP_TIMEOUT_SECONDS));
                }
            }
            step = "rados_connect";
            rados.connect();
            ok = true;
            return new CephCluster(rados, description);
        } catch (RadosException e) {
            throw fromRados(step, description, e);
        } finally {
            if (!ok) {
                rados.shutDown();
            }
        }
    }

    /** The (negative) return code of a rados-java exception; EIO when it carries none. */
    static int rc(RadosException e) {
        return e.getReturnValue() == 0 ? -Errno.EIO : -Math.abs(e.getReturnValue());
    }

    static CephException fromRados(String call, String target, RadosException e) {
        CephException c = new CephException(call, target, rc(e));
        c.initCause(e);
        return c;
    }

    /** Opens an I/O context on {@code pool}; {@link PoolNotFoundException} if it does not exist. */
    private static boolean isZero(String value) {
        try {
            return value == null || Double.parseDouble(value.trim()) == 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    public Pool openPool(String pool) throws CephException {
        Rados rados = guard.acquire("rados_ioctx_create");
        try {
            IoCTX io;
            try {
                io = rados.ioCtxCreate(pool);
            } catch (RadosException e) {
                CephException c = CephException.forPool("rados_ioctx_create", pool, rc(e));
                c.initCause(e);
                throw c;
            }
            Pool p = new Pool(this, pool, io);
            pools.add(p);
            return p;
        } finally {
            guard.release();
        }
    }

    /** The cluster fsid. */
    public String fsid() throws CephException {
        Rados rados = guard.acquire("rados_cluster_fsid");
        try {
            return rados.clusterFsid();
        } catch (RadosException e) {
            throw fromRados("rados_cluster_fsid", description, e);
        } finally {
            guard.release();
        }
    }

    /**
     * This client's global id ({@code rados_get_instance_id}): the monitor lists the session as
     * {@code client.<id>} until the connection is shut down.
     */
    public long instanceId() throws CephException {
        Rados rados = guard.acquire("rados_get_instance_id");
        try {
            return rados.getInstanceId();
        } catch (RadosException e) {
            throw fromRados("rados_get_instance_id", description, e);
        } finally {
            guard.release();
        }
    }

    /** librbd's version, e.g. "1.16.0" (needs no connection). */
    public static String librbdVersion() {
        com.sun.jna.ptr.IntByReference a = new com.sun.jna.ptr.IntByReference();
        com.sun.jna.ptr.IntByReference b = new com.sun.jna.ptr.IntByReference();
        com.sun.jna.ptr.IntByReference c = new com.sun.jna.ptr.IntByReference();
        LibRbd.get().rbd_version(a, b, c);
        return a.getValue() + "." + b.getValue() + "." + c.getValue();
    }

    void forget(Pool pool) {
        pools.remove(pool);
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    private volatile boolean lost;

    /**
     * Marks this connection as not to be used for new work when {@code failure} shows its session
     * was lost: an operation timed out (the cluster went away) or the client was blocklisted.
     * Image locks an unreachable cluster did not let it release stay registered to this client;
     * a fresh client breaks them, where this one could only break its own and blocklist itself.
     */
    public void markLostIf(Throwable failure) {
        if (sessionLost(failure)) {
            lost = true;
        }
    }

    /** Whether the owner should replace this connection with a new one. */
    public boolean isLost() {
        return lost;
    }

    /** ETIMEDOUT or EBLOCKLISTED (ESHUTDOWN) anywhere in the failure, its causes or suppressed ones. */
    public static boolean sessionLost(Throwable failure) {
        java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty()) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof CephException c && (c.errno() == 110 || c.errno() == 108)) {
                return true;
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(java.util.List.of(t.getSuppressed()));
        }
        return false;
    }

    /** Closes pools still open, then shuts the connection down. Idempotent. */
    @Override
    public void close() {
        List<Pool> open = new ArrayList<>(pools);
        for (Pool p : open) {
            p.close();
        }
        Rados rados = guard.take();
        if (rados != null) {
            rados.shutDown();
        }
    }

    @Override
    public String toString() {
        return "CephCluster[" + description + (isClosed() ? ", closed]" : "]");
    }
}
