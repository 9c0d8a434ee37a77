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
import dev.ember.model.QuotaResources;
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
import dev.ember.volume.VolumeDevices;
import dev.ember.volume.VolumeStore;
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
    /** How the manager reaches volumes; closed at stop (a volume store, where there is one, is the same object). */
    private final VolumeDevices volumeDevices;
    /** Outgoing RPC pieces (capabilities reporter, oslo client), closed in this order. */
    private final List<AutoCloseable> outgoing;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Ember(Vertx vertx, Database db, ExecutorService managerPool, ExecutorService driverPool, HttpServer http,
                  BackupManager manager, AmqpRpcServer rpcServer, AmqpBackupRpc rpcClient, VolumeDevices volumeDevices,
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
        this.volumeDevices = volumeDevices;
    }

    /** The embedded all-in-one profile ({@link Role#ALL}). */
    public static Ember start(Config config) throws Exception {
        return start(config, Role.ALL);
    }

    public static Ember start(Config config, Role role) throws Exception {
        String host = config.get("host", defaultHost());
        String zone = config.get("storage_availability_zone", "nova");
        Path statePath = Path.of(config.get("state_path", "/var/lib/cinder"));
        if (role == Role.API) {
            return startApiRole(config, host, zone);
        }
        String volumeBackendName = volumeBackendOf(config, role);
        Database db = openDatabase(config, role);
        int maxOps = config.getInt("backup_max_operations", 15);
        // cinder reads 0 as "no limit"; a worker pool still needs a bound.
        ExecutorService managerPool = boundedPool("ember-manager", maxOps <= 0 ? 64 : maxOps);
        ExecutorService driverPool = boundedPool("ember-driver",
                Math.max(2, config.getInt("backup_native_threads_pool_size", Runtime.getRuntime().availableProcessors())));

        BackupDriver driver = Drivers.create(config, driverPool);
        BackupRepository backups = new BackupRepository();
        Vertx vertx = Vertx.vertx();
        List<AutoCloseable> outgoing = new java.util.ArrayList<>();
        OsloRpcClient oslo = openOutgoingRpc(config, role, vertx, host);
        if (oslo != null) {
            outgoing.add(oslo);
        }
        VolumeAccess volumeAccess = openVolumes(config, volumeBackendName, statePath, oslo, db, backups, host);

        VolumeRepository volumes = new VolumeRepository();
        QuotaRepository quotas = backupQuotas(config);
        ServiceRepository services = new ServiceRepository();
        BackupManager manager = startManager(config, db, backups, volumes, quotas, services, driver,
                volumeAccess.devices(), host, zone);

        BackupRpc rpc;
        AmqpRpcServer rpcServer = null;
        AmqpBackupRpc amqp = null;
        if (oslo != null) {
            rpcServer = serveBackupRpc(config, vertx, oslo, outgoing, manager, volumeAccess.remote(), driver, host,
                    zone, managerPool);
            // The API's casts share the process's outgoing connection.
            amqp = new AmqpBackupRpc(oslo, id -> db.tx(dsl -> backups.findIncludingDeleted(dsl, id))
                    .map(BackupObjects::of).orElseThrow(() -> CinderException.backupNotFound(id)));
            rpc = amqp;
        } else {
            rpc = new InProcessRpc(host, manager, managerPool);
        }
        HttpServer http = null;
        if (role.servesHttp()) {
            http = startApi(config, vertx, db, backups, volumes, quotas, services, volumeAccess.store(), rpc, host,
                    zone, amqp == null);
        }
        startHeartbeat(config, vertx, db, services, host);
        logStarted(config, role, http, host, driver, volumeBackendName);
        return new Ember(vertx, db, managerPool, driverPool, http, manager, rpcServer, amqp, volumeAccess.devices(),
                outgoing);
    }

    /** The volume backend the role reaches volumes through ({@code volume_backend}), after the role's checks. */
    private static String volumeBackendOf(Config config, Role role) {
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
        return volumeBackendName;
    }

    /**
     * Outgoing oslo RPC (to cinder-volume and cinder-scheduler) and notifications; null without a
     * broker. A cinder-backup always has one: oslo.messaging's default URL when none is set.
     */
    private static OsloRpcClient openOutgoingRpc(Config config, Role role, Vertx vertx, String host) {
        if (role == Role.BACKUP || config.find("DEFAULT", "transport_url").isPresent()) {
            return new OsloRpcClient(vertx, RabbitSettings.fromConfig(config), "ember cinder-backup " + host
                    + " outgoing").startBlocking(Duration.ofSeconds(120));
        }
        return null;
    }

    /** cinder's database: migrated by the roles that own it, otherwise required to hold cinder's schema. */
    private static Database openDatabase(Config config, Role role) {
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
        return db;
    }

    /**
     * How the manager reaches volumes ({@code devices}) and how the embedded volume API changes
     * them ({@code store}: only the profiles that own their volumes have one); {@code remote} is the
     * cinder-volume backend, if that is the one.
     */
    private record VolumeAccess(VolumeDevices devices, VolumeStore store, RemoteVolumeBackend remote) {
    }

    private static VolumeAccess openVolumes(Config config, String volumeBackendName, Path statePath,
                                            OsloRpcClient oslo, Database db, BackupRepository backups, String host)
            throws Exception {
        return switch (volumeBackendName) {
            case "file" -> {
                FileVolumeBackend files = new FileVolumeBackend(Path.of(config.get("volumes_dir",
                        statePath.resolve("volumes").toString())));
                yield new VolumeAccess(files, files, null);
            }
            // The Ceph profile: volumes are RBD images <rbd_pool>/volume-<id> (rbd_ceph_conf, rbd_user).
            case "rbd" -> {
                RbdVolumeBackend images = RbdVolumeBackend.fromConfig(config);
                yield new VolumeAccess(images, images, null);
            }
            case "cinder" -> {
                // Volumes of a real cinder-volume: get_backup_device / initialize_connection over RPC,
                // data through librbd, as cinder-backup does in a full deployment.
                if (oslo == null) {
                    throw new IllegalArgumentException("volume_backend cinder needs transport_url");
                }
                String cephConf = config.find("DEFAULT", "backup_ceph_conf")
                        .orElse(config.get("rbd_ceph_conf", "/etc/ceph/ceph.conf"));
                RemoteVolumeBackend remote = new RemoteVolumeBackend(new VolumeRpcClient(oslo),
                        new RemoteVolumeBackend.Settings(
                        Path.of(cephConf), config.get("backup_ceph_user", "cinder"), null,
                        ConnectorProperties.of(config.get("my_ip", "127.0.0.1")), true),
                        DatabaseLookups.creatingBackups(db, backups, host), DatabaseLookups.volumes(db));
                yield new VolumeAccess(remote, null, remote);
            }
            default -> throw new IllegalArgumentException("volume_backend " + volumeBackendName
                    + " is not supported (supported: file, rbd, cinder)");
        };
    }

    /**
     * The backup manager, with this host's service row registered and the work a previous process
     * of this host left unfinished settled.
     */
    private static BackupManager startManager(Config config, Database db, BackupRepository backups,
                                              VolumeRepository volumes, QuotaRepository quotas,
                                              ServiceRepository services, BackupDriver driver,
                                              VolumeDevices volumeDevices, String host, String zone) {
        BackupManager manager = new BackupManager(db, backups, volumes, quotas, driver, volumeDevices, host);
        manager.setAvailabilityZone(zone);
        manager.setKeyManager(dev.ember.keymgr.KeyManagers.fromConfig(config, serviceToken(config)));
        db.txRun(dsl -> services.register(dsl, host, zone, RPC_VERSION, OBJECT_VERSION));
        manager.cleanupIncompleteOperations();
        return manager;
    }

    /**
     * A broker: this process is a cinder-backup host on it (notifications, capabilities reports,
     * the backup topic's server), and its API casts through it, so any up backup host (Ember or
     * Python) can take the work. The capabilities reporter goes first into {@code outgoing}, which
     * closes it before the oslo client.
     */
    private static AmqpRpcServer serveBackupRpc(Config config, Vertx vertx, OsloRpcClient oslo,
                                                List<AutoCloseable> outgoing, BackupManager manager,
                                                RemoteVolumeBackend remote, BackupDriver driver, String host,
                                                String zone, ExecutorService managerPool) throws Exception {
        RabbitSettings rabbit = RabbitSettings.fromConfig(config);
        manager.setNotifier(AmqpNotifier.fromSettings(NotificationSettings.fromConfig(config), oslo, host));
        ServiceCapabilitiesReporter reporter = new ServiceCapabilitiesReporter(oslo, host,
                config.get("backup_driver", driver.serviceName()), zone, config.get("cluster", null),
                () -> true, managerPool);
        outgoing.add(0, reporter);
        BackupRpcExtras extras = BackupRpcExtras.defaults(reporter::publishAsync,
                remote == null ? null : new RemoteContinuation(remote, manager::createBackup));
        AmqpRpcServer rpcServer = new AmqpRpcServer(vertx, rabbit, host, manager, extras, managerPool);
        rpcServer.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        // update_service_capabilities to the scheduler: now and every backup_driver_stats_polling_interval.
        reporter.start(vertx, Duration.ofSeconds(config.getInt("backup_driver_stats_polling_interval", 60)));
        return rpcServer;
    }

    /** The service row's heartbeat ({@code updated_at}), every {@code report_interval} seconds. */
    private static void startHeartbeat(Config config, Vertx vertx, Database db, ServiceRepository services,
                                       String host) {
        int reportInterval = config.getInt("report_interval", 10);
        vertx.setPeriodic(reportInterval * 1000L, id -> vertx.executeBlocking(() -> {
            db.txRun(dsl -> services.heartbeat(dsl, host));
            return null;
        }, false).onFailure(e -> LOG.warn("service heartbeat failed: {}", e.toString())));
    }

    private static void logStarted(Config config, Role role, HttpServer http, String host, BackupDriver driver,
                                   String volumeBackendName) {
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
    }

    /**
     * The API role ({@link Role#API}): cinder-api's backup routes over cinder's database, casting
     * backup work to the {@code cinder-backup} hosts and new volumes (restores without a target) to
     * cinder-scheduler over the broker. It runs no manager, opens no backup driver or volume
     * backend, registers no service row (cinder-api has none) and never migrates the database.
     */
    private static Ember startApiRole(Config config, String host, String zone) throws Exception {
        SqlAlchemyUrl url = SqlAlchemyUrl.parse(config.get("database", "connection",
                "mysql+pymysql://ember:ember@127.0.0.1:3306/ember"));
        Database db = Database.open(url, config.getInt("database", "max_pool_size", 10));
        Vertx vertx = null;
        OsloRpcClient oslo = null;
        try {
            db.requireCinderSchema();
            vertx = Vertx.vertx();
            // As cinder-api: oslo.messaging's default broker when transport_url is absent.
            oslo = new OsloRpcClient(vertx, RabbitSettings.fromConfig(config), "ember cinder-api " + host + " outgoing")
                    .startBlocking(Duration.ofSeconds(120));
            BackupRepository backups = new BackupRepository();
            VolumeRepository volumes = new VolumeRepository();
            QuotaRepository quotas = backupQuotas(config);
            AmqpBackupRpc amqp = new AmqpBackupRpc(oslo, id -> db.tx(dsl -> backups.findIncludingDeleted(dsl, id))
                    .map(BackupObjects::of).orElseThrow(() -> CinderException.backupNotFound(id)));
            Policy policy = policy(config);
            BackupHosts hosts = new BackupHosts(db, new ServiceRepository(), config.getInt("service_down_time", 60), null);
            // Volumes are cinder-volume's: only read here, from the database (the backup checks, and
            // the GET routes the stock client finds a volume with); there is no volume store.
            VolumeService volumeLookups = new VolumeService(db, volumes, null, host, zone, policy);
            // cinder-api's volume create takes default_availability_zone, else storage_availability_zone.
            String newVolumeZone = config.get("default_availability_zone", zone);
            Map<String, Integer> quotaFlags = dev.ember.volume.QuotaService.flagsFrom(config);
            dev.ember.volume.remote.ScheduledVolumeCreator creator = new dev.ember.volume.remote.ScheduledVolumeCreator(
                    db, volumes, policy, oslo, new dev.ember.volume.remote.ScheduledVolumeCreator.Settings(
                    config.get("default_volume_type", "__DEFAULT__"), newVolumeZone,
                    quotaFlags.get("volumes"), quotaFlags.get("gigabytes"), quotaFlags.get("per_volume_gigabytes"),
                    Duration.ofSeconds(1), Duration.ofMinutes(10)));
            BackupService backupService = new BackupService(db, backups, volumes, quotas, volumeLookups, hosts, amqp,
                    creator::create);
            // cinder-api's own default: every address.
            HttpServer http = serveApi(config, vertx, policy, backupService, volumeLookups, ApiServer.VolumeRoutes.READ,
                    ApiServer.ProjectApis.NONE, "0.0.0.0");
            if (!config.unusedOptions().isEmpty()) {
                LOG.info("options Ember's api role does not read (other services' or not implemented): {}",
                        String.join(", ", config.unusedOptions()));
            }
            LOG.info("Ember {} (api role) listening on port {}: the backup API of cinder-api, work cast to the "
                    + "cinder-backup hosts; no backup manager", version(), http.actualPort());
            return new Ember(vertx, db, null, null, http, null, null, amqp, null, List.of(oslo));
        } catch (Exception | LinkageError e) {
            if (oslo != null) {
                oslo.close();
            }
            if (vertx != null) {
                vertx.close();
            }
            db.close();
            throw e;
        }
    }

    /** The backup quotas' defaults, from cinder's options as the quota API reads them (QuotaService.flagsFrom). */
    private static QuotaRepository backupQuotas(Config config) {
        Map<String, Integer> flags = dev.ember.volume.QuotaService.flagsFrom(config);
        return new QuotaRepository(Map.of(
                QuotaResources.BACKUPS, flags.get(QuotaResources.BACKUPS),
                QuotaResources.BACKUP_GIGABYTES, flags.get(QuotaResources.BACKUP_GIGABYTES)));
    }

    /** oslo.config finds a relative policy_file beside the configuration files, then in /etc/cinder. */
    private static Policy policy(Config config) throws Exception {
        List<Path> policyDirs = new java.util.ArrayList<>(config.sourceDirs());
        policyDirs.add(Path.of("/etc/cinder"));
        return Policy.fromConfig(config, policyDirs);
    }

    /** The REST API of the embedded profile: the backup service in front of {@code rpc}, and the volume API. */
    private static HttpServer startApi(Config config, Vertx vertx, Database db, BackupRepository backups,
                                       VolumeRepository volumes, QuotaRepository quotas, ServiceRepository services,
                                       VolumeStore volumeStore, BackupRpc rpc, String host, String zone,
                                       boolean inProcess) throws Exception {
        BackupHosts hosts = new BackupHosts(db, services, config.getInt("service_down_time", 60),
                inProcess ? host : null);
        Policy policy = policy(config);
        VolumeService volumeService = new VolumeService(db, volumes, volumeStore, host, zone, policy);
        BackupService backupService = new BackupService(db, backups, volumes, quotas, volumeService, hosts, rpc);
        // cinder-manage db sync makes the __DEFAULT__ volume type; Ember's own schema gets it here.
        db.txRun(dsl -> new dev.ember.db.VolumeTypeRepository().ensureDefault(dsl));
        ApiServer.ProjectApis projectApis = new ApiServer.ProjectApis(
                new dev.ember.volume.QuotaService(db, policy, dev.ember.volume.QuotaService.flagsFrom(config),
                        config.getBool("use_default_quota_class", true)),
                new dev.ember.volume.VolumeTypeService(db, policy, config.get("default_volume_type", "__DEFAULT__")),
                new dev.ember.volume.TransferService(db, volumes, policy),
                new dev.ember.volume.GroupService(db, policy));
        // The embedded profile answers noauth callers as admin: loopback unless the operator says otherwise
        // (cinder-api's own default, 0.0.0.0, is for a deployment behind Keystone).
        return serveApi(config, vertx, policy, backupService, volumeService, ApiServer.VolumeRoutes.ALL, projectApis,
                "127.0.0.1");
    }

    /**
     * Listens on {@code osapi_volume_listen}:{@code osapi_volume_listen_port} with cinder.conf's
     * {@code auth_strategy}: the backup routes and {@code volumeRoutes} of {@code volumeService}.
     */
    private static HttpServer serveApi(Config config, Vertx vertx, Policy policy, BackupService backupService,
                                       VolumeService volumeService, ApiServer.VolumeRoutes volumeRoutes,
                                       ApiServer.ProjectApis projectApis, String defaultListen) throws Exception {
        Authenticator auth = switch (config.get("auth_strategy", "keystone")) {
            case "noauth" -> new NoAuthAuthenticator();
            case "keystone" -> KeystoneAuthenticator.fromConfig(config);
            default -> throw new IllegalArgumentException("auth_strategy must be noauth or keystone");
        };
        WorkerExecutor apiWorkers = vertx.createSharedWorkerExecutor("ember-api",
                config.getInt("osapi_volume_workers_threads", 16));
        ApiServer api = new ApiServer(vertx, new ApiServer.Settings(config.get("public_endpoint", null),
                config.getInt("osapi_max_limit", 1000)), auth, policy, backupService, volumeService, volumeRoutes,
                projectApis, apiWorkers);
        String listen = config.get("osapi_volume_listen", defaultListen);
        HttpServer http = api.listen(listen, config.getInt("osapi_volume_listen_port", 8776)).await();
        LOG.info("the API listens on {}:{} (osapi_volume_listen{}, auth_strategy {})", listen, http.actualPort(),
                config.find(Config.DEFAULT, "osapi_volume_listen").isPresent() ? "" : " unset: " + defaultListen,
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

    /** The backup manager; null in the API role, which runs none. */
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
        if (managerPool != null) {
            managerPool.shutdown();
        }
        if (manager != null) {
            manager.close();
        }
        try {
            if (managerPool != null) {
                managerPool.awaitTermination(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (driverPool != null) {
            driverPool.shutdownNow();
        }
        if (manager != null && manager.driver() instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the backup driver", e);
            }
        }
        if (volumeDevices instanceof AutoCloseable c) {
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
