package dev.ember;

import dev.ember.api.ApiServer;
import dev.ember.auth.Authenticator;
import dev.ember.auth.KeystoneAuthenticator;
import dev.ember.auth.NoAuthAuthenticator;
import dev.ember.auth.Policy;
import dev.ember.backup.BackupHosts;
import dev.ember.backup.BackupManager;
import dev.ember.backup.BackupService;
import dev.ember.config.Config;
import dev.ember.db.BackupRepository;
import dev.ember.db.Database;
import dev.ember.db.QuotaRepository;
import dev.ember.db.ServiceRepository;
import dev.ember.db.SqlAlchemyUrl;
import dev.ember.db.VolumeRepository;
import dev.ember.driver.BackupDriver;
import dev.ember.error.CinderException;
import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.InProcessRpc;
import dev.ember.rpc.amqp.AmqpBackupRpc;
import dev.ember.rpc.amqp.AmqpRpcServer;
import dev.ember.rpc.amqp.BackupObjects;
import dev.ember.rpc.amqp.RabbitSettings;
import dev.ember.rpc.amqp.OsloRpcClient;
import dev.ember.rpc.amqp.ServiceCapabilitiesReporter;
import dev.ember.rpc.amqp.VolumeRpcClient;
import dev.ember.rpc.notify.AmqpNotifier;
import dev.ember.rpc.notify.NotificationSettings;
import dev.ember.volume.remote.ConnectorProperties;
import dev.ember.volume.remote.DatabaseLookups;
import dev.ember.volume.remote.RemoteContinuation;
import dev.ember.volume.remote.RemoteVolumeBackend;
import dev.ember.rpc.oslo.BackupRpcExtras;
import dev.ember.volume.FileVolumeBackend;
import dev.ember.volume.RbdVolumeBackend;
import dev.ember.volume.VolumeBackend;
import dev.ember.volume.VolumeService;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The composition root: reads the configuration, builds every part once and wires them in the
 * one direction data flows (HTTP → api → backup service → rpc → manager → driver → storage).
 */
public final class Ember implements AutoCloseable {


    /** Ember's Keystone service token ([keystone_authtoken]) for Barbican; null without Keystone. */
    private static java.util.function.Supplier<String> serviceToken(Config config) {
        if (!"keystone".equals(config.get("auth_strategy", "keystone"))
                || config.find(dev.ember.auth.KeystoneSettings.SECTION, "auth_url").isEmpty()) {
            return null;
        }
        dev.ember.auth.ServiceTokenProvider tokens = new dev.ember.auth.ServiceTokenProvider(
                dev.ember.auth.KeystoneSettings.fromConfig(config), java.time.Clock.systemUTC());
        return () -> {
            try {
                return tokens.get();
            } catch (dev.ember.auth.KeystoneUnavailableException e) {
                throw new IllegalStateException("no Keystone service token for Barbican: " + e.getMessage(), e);
            }
        };
    }
    private static final Logger LOG = LoggerFactory.getLogger(Ember.class);
    /** cinder's RPC and object versions that a Zed cinder-backup reports in its service row. */
    static final String RPC_VERSION = "2.3";
    static final String OBJECT_VERSION = "1.39";

    private final Vertx vertx;
    private final Database db;
    private final ExecutorService managerPool;
    private final ExecutorService driverPool;
    private final HttpServer http;
    private final BackupManager manager;
    private final AmqpRpcServer rpcServer;
    private final AmqpBackupRpc rpcClient;
    private final VolumeBackend volumeBackend;
    /** Outgoing RPC pieces (capabilities reporter, oslo client), closed in this order. */
    private final List<AutoCloseable> outgoing;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Ember(Vertx vertx, Database db, ExecutorService managerPool, ExecutorService driverPool, HttpServer http,
                  BackupManager manager, AmqpRpcServer rpcServer, AmqpBackupRpc rpcClient, VolumeBackend volumeBackend,
                  List<AutoCloseable> outgoing) {
        this.outgoing = outgoing;
        this.vertx = vertx;
        this.db = db;
        this.managerPool = managerPool;
        this.driverPool = driverPool;
        this.http = http;
        this.manager = manager;
        this.rpcServer = rpcServer;
        this.rpcClient = rpcClient;
        this.volumeBackend = volumeBackend;
    }

    /** The embedded all-in-one profile ({@link Role#ALL}). */
    public static Ember start(Config config) throws Exception {
        return start(config, Role.ALL);
    }

    public static Ember start(Config config, Role role) throws Exception {
        String host = config.get("host", defaultHost());
        String zone = config.get("storage_availability_zone", "nova");
        Path statePath = Path.of(config.get("state_path", "/var/lib/cinder"));

        if (role == Role.BACKUP && config.find(Config.DEFAULT, "backup_driver").isEmpty()) {
            // cinder's default is its Swift driver; guessing another store would put backups where
            // the operator does not look for them.
            throw new IllegalArgumentException("backup_driver is not set, and cinder's default (the Swift driver) "
                    + "is not implemented by Ember: set backup_driver = cinder.backup.drivers.ceph.CephBackupDriver "
                    + "or cinder.backup.drivers.posix.PosixBackupDriver");
        }

        String volumeBackendName = config.get("volume_backend", role.defaultVolumeBackend());
        if (!role.allowsVolumeBackend(volumeBackendName)) {
            throw new IllegalArgumentException("volume_backend " + volumeBackendName + " belongs to the embedded "
                    + "profile (ember all); the " + role.cliName() + " role reaches volumes through cinder-volume");
        }
        SqlAlchemyUrl url = SqlAlchemyUrl.parse(config.get("database", "connection",
                "mysql+pymysql://ember:ember@127.0.0.1:3306/ember"));
        Database db = Database.open(url, config.getInt("database", "max_pool_size", 10));
        if (role.migratesSchema()) {
            db.migrate();
        } else {
            try {
                db.requireCinderSchema();
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        }
        int maxOps = config.getInt("backup_max_operations", 15);
        // cinder reads 0 as "no limit"; a worker pool still needs a bound.
        ExecutorService managerPool = boundedPool("ember-manager", maxOps <= 0 ? 64 : maxOps);
        ExecutorService driverPool = boundedPool("ember-driver",
                Math.max(2, config.getInt("backup_native_threads_pool_size", Runtime.getRuntime().availableProcessors())));

        BackupDriver driver = Drivers.create(config, driverPool);
        BackupRepository backups = new BackupRepository();
        Vertx vertx = Vertx.vertx();
        // Outgoing oslo RPC (to cinder-volume and cinder-scheduler) and notifications.
        List<AutoCloseable> outgoing = new java.util.ArrayList<>();
        OsloRpcClient oslo = null;
        // A cinder-backup always has a broker: oslo.messaging's default URL when none is set.
        if (role == Role.BACKUP || config.find("DEFAULT", "transport_url").isPresent()) {
            oslo = new OsloRpcClient(vertx, RabbitSettings.fromConfig(config), "ember cinder-backup " + host + " outgoing")
                    .startBlocking(Duration.ofSeconds(120));
            outgoing.add(oslo);
        }
        RemoteVolumeBackend remote = null;
        VolumeBackend volumeBackend;
        switch (volumeBackendName) {
            case "file" -> volumeBackend = new FileVolumeBackend(Path.of(config.get("volumes_dir",
                    statePath.resolve("volumes").toString())));
            // The Ceph profile: volumes are RBD images <rbd_pool>/volume-<id> (rbd_ceph_conf, rbd_user).
            case "rbd" -> volumeBackend = RbdVolumeBackend.fromConfig(config);
            case "cinder" -> {
                // Volumes of a real cinder-volume: get_backup_device / initialize_connection over RPC,
                // data through librbd, as cinder-backup does in a full deployment.
                if (oslo == null) {
                    throw new IllegalArgumentException("volume_backend cinder needs transport_url");
                }
                String cephConf = config.find("DEFAULT", "backup_ceph_conf")
                        .orElse(config.get("rbd_ceph_conf", "/etc/ceph/ceph.conf"));
                remote = new RemoteVolumeBackend(new VolumeRpcClient(oslo), new RemoteVolumeBackend.Settings(
                        Path.of(cephConf), config.get("backup_ceph_user", "cinder"), null,
                        ConnectorProperties.of(config.get("my_ip", "127.0.0.1")), true),
                        DatabaseLookups.creatingBackups(db, backups, host), DatabaseLookups.volumes(db));
                volumeBackend = remote;
            }
            default -> throw new IllegalArgumentException("volume_backend " + volumeBackendName
                    + " is not supported (supported: file, rbd, cinder)");
        }

        VolumeRepository volumes = new VolumeRepository();
        QuotaRepository quotas = new QuotaRepository(Map.of(
                QuotaRepository.BACKUPS_RESOURCE, config.getInt("quota_backups", 10),
                QuotaRepository.GIGABYTES_RESOURCE, config.getInt("quota_backup_gigabytes", 1000)));
        ServiceRepository services = new ServiceRepository();

        BackupManager manager = new BackupManager(db, backups, volumes, quotas, driver, volumeBackend, host);
        manager.setAvailabilityZone(zone);
        manager.setKeyManager(dev.ember.keymgr.KeyManagers.fromConfig(config, serviceToken(config)));
        db.txRun(dsl -> services.register(dsl, host, zone, RPC_VERSION, OBJECT_VERSION));
        manager.cleanupIncompleteOperations();

        BackupRpc rpc;
        AmqpRpcServer rpcServer = null;
        AmqpBackupRpc amqp = null;
        if (oslo != null) {
            // A broker: this process is a cinder-backup host on it, and its API casts through it,
            // so any up backup host (Ember or Python) can take the work.
            RabbitSettings rabbit = RabbitSettings.fromConfig(config);
            manager.setNotifier(AmqpNotifier.fromSettings(NotificationSettings.fromConfig(config), oslo, host));
            ServiceCapabilitiesReporter reporter = new ServiceCapabilitiesReporter(oslo, host,
                    config.get("backup_driver", driver.serviceName()), zone, config.get("cluster", null),
                    () -> true, managerPool);
            outgoing.add(0, reporter);
            BackupRpcExtras extras = BackupRpcExtras.defaults(reporter::publishAsync,
                    remote == null ? null : new RemoteContinuation(remote, manager::createBackup));
            rpcServer = new AmqpRpcServer(vertx, rabbit, host, manager, extras, managerPool);
            rpcServer.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
            // The API's casts share the process's outgoing connection.
            amqp = new AmqpBackupRpc(oslo, id -> db.tx(dsl -> backups.findIncludingDeleted(dsl, id))
                    .map(BackupObjects::of).orElseThrow(() -> CinderException.backupNotFound(id)));
            rpc = amqp;
            // update_service_capabilities to the scheduler: now and every backup_driver_stats_polling_interval.
            reporter.start(vertx, Duration.ofSeconds(config.getInt("backup_driver_stats_polling_interval", 60)));
        } else {
            rpc = new InProcessRpc(host, manager, managerPool);
        }
        HttpServer http = null;
        if (role.servesHttp()) {
            http = startApi(config, vertx, db, backups, volumes, quotas, services, volumeBackend, rpc, host, zone,
                    amqp == null);
        }

        int reportInterval = config.getInt("report_interval", 10);
        vertx.setPeriodic(reportInterval * 1000L, id -> vertx.executeBlocking(() -> {
            db.txRun(dsl -> services.heartbeat(dsl, host));
            return null;
        }, false).onFailure(e -> LOG.warn("service heartbeat failed: {}", e.toString())));

        if (!config.unusedOptions().isEmpty()) {
            // A shared cinder.conf carries every service's options: one line, not one per option.
            LOG.info("options Ember's {} role does not read (other services' or not implemented): {}", role.cliName(),
                    String.join(", ", config.unusedOptions()));
        }
        if (http != null) {
            LOG.info("Ember {} ({} role) listening on port {} (host {}, driver {})", version(), role.cliName(),
                    http.actualPort(), host, driver.serviceName());
        } else {
            LOG.info("Ember {} ({} role) started as cinder-backup host {} (driver {}, volumes through {}); no HTTP "
                    + "port", version(), role.cliName(), host, driver.serviceName(), volumeBackendName);
        }
        return new Ember(vertx, db, managerPool, driverPool, http, manager, rpcServer, amqp, volumeBackend, outgoing);
    }

    /** The REST API of the embedded profile: the backup service in front of {@code rpc}, and the volume API. */
    private static HttpServer startApi(Config config, Vertx vertx, Database db, BackupRepository backups,
                                       VolumeRepository volumes, QuotaRepository quotas, ServiceRepository services,
                                       VolumeBackend volumeBackend, BackupRpc rpc, String host, String zone,
                                       boolean inProcess) throws Exception {
        BackupHosts hosts = new BackupHosts(db, services, config.getInt("service_down_time", 60),
                inProcess ? host : null);
        // oslo.config finds a relative policy_file beside the configuration files, then in /etc/cinder.
        List<Path> policyDirs = new java.util.ArrayList<>(config.sourceDirs());
        policyDirs.add(Path.of("/etc/cinder"));
        Policy policy = Policy.fromConfig(config, policyDirs);
        VolumeService volumeService = new VolumeService(db, volumes, volumeBackend, host, zone, policy);
        BackupService backupService = new BackupService(db, backups, volumes, quotas, volumeService, hosts, rpc);

        Authenticator auth = switch (config.get("auth_strategy", "keystone")) {
            case "noauth" -> new NoAuthAuthenticator();
            case "keystone" -> KeystoneAuthenticator.fromConfig(config);
            default -> throw new IllegalArgumentException("auth_strategy must be noauth or keystone");
        };
        WorkerExecutor apiWorkers = vertx.createSharedWorkerExecutor("ember-api",
                config.getInt("osapi_volume_workers_threads", 16));
        ApiServer api = new ApiServer(vertx, new ApiServer.Settings(config.get("public_endpoint", null),
                config.getInt("osapi_max_limit", 1000)), auth, policy, backupService, volumeService, apiWorkers);
        // The embedded profile answers noauth callers as admin: loopback unless the operator says otherwise
        // (cinder-api's own default, 0.0.0.0, is for a deployment behind Keystone).
        String listen = config.get("osapi_volume_listen", "127.0.0.1");
        HttpServer http = api.listen(listen, config.getInt("osapi_volume_listen_port", 8776)).await();
        LOG.info("the API listens on {}:{} (osapi_volume_listen{}, auth_strategy {})", listen, http.actualPort(),
                config.find(Config.DEFAULT, "osapi_volume_listen").isPresent() ? "" : " unset: loopback only",
                config.get("auth_strategy", "keystone"));
        return http;
    }

    private static String version() {
        String v = Ember.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static String defaultHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "ember";
        }
    }

    /** A fixed pool with a bounded queue: work beyond it is refused rather than piling up. */
    static ExecutorService boundedPool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The API's port, or -1 in a role that serves no HTTP. */
    public int port() {
        return http == null ? -1 : http.actualPort();
    }

    public Database database() {
        return db;
    }

    public BackupManager manager() {
        return manager;
    }

    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (http != null) {
            try {
                http.close().await();
            } catch (Exception e) {
                LOG.debug("closing http", e);
            }
        }
        if (rpcServer != null) {
            // Unacknowledged messages go back to the queue for another host.
            rpcServer.close();
        }
        managerPool.shutdown();
        manager.close();
        try {
            managerPool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        driverPool.shutdownNow();
        if (manager.driver() instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the backup driver", e);
            }
        }
        if (volumeBackend instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the volume backend", e);
            }
        }
        if (rpcClient != null) {
            rpcClient.close();
        }
        for (AutoCloseable c : outgoing) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {}", c, e);
            }
        }
        vertx.close();
        db.close();
        stopped.countDown();
    }
}
