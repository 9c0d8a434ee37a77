package dev.ember.rpc.amqp;

import dev.ember.rpc.oslo.RpcContext;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * What cinder's backup manager does to be picked by the scheduler: every
 * {@code backup_driver_stats_polling_interval} (60 s), at start and when cinder-scheduler fans out
 * {@code publish_service_capabilities}, it fans out {@code update_service_capabilities} (v3.3) to
 * {@code cinder-scheduler_fanout} with {@code service_name='backup'}, its host, capabilities
 * {@code {backend_state, driver_name, availability_zone}}, {@code cluster_name} and a timestamp,
 * then casts {@code notify_service_capabilities} (v3.5) to {@code cinder-scheduler}.
 */
public final class ServiceCapabilitiesReporter implements AutoCloseable {

    public static final String SCHEDULER_TOPIC = "cinder-scheduler";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceCapabilitiesReporter.class);

    private final OsloRpcClient client;
    private final String host;
    private final String driverName;
    private final String availabilityZone;
    private final String clusterName;
    private final BooleanSupplier backendState;
    private final ExecutorService workers;
    private Vertx vertx;
    private long timer = -1;

    /**
     * @param driverName   {@code backup_driver} as configured (cinder's class path)
     * @param backendState whether the driver is initialised/working ({@code is_working()})
     * @param workers      where the (blocking) publishes run
     */
    public ServiceCapabilitiesReporter(OsloRpcClient client, String host, String driverName, String availabilityZone,
                                       String clusterName, BooleanSupplier backendState, ExecutorService workers) {
        this.client = client;
        this.host = host;
        this.driverName = driverName;
        this.availabilityZone = availabilityZone;
        this.clusterName = clusterName;
        this.backendState = backendState;
        this.workers = workers;
    }

    public Map<String, Object> capabilities() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("backend_state", backendState.getAsBoolean());
        c.put("driver_name", driverName);
        c.put("availability_zone", availabilityZone);
        return c;
    }

    /**
     * The scheduler parses the timestamp with {@code %Y-%m-%dT%H:%M:%S.%f} (timeutils.PERFECT_TIME_FORMAT):
     * always six fraction digits.
     */
    static String pythonTimestamp(LocalDateTime t) {
        return String.format("%04d-%02d-%02dT%02d:%02d:%02d.%06d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000);
    }

    /** Publishes now (blocking). */
    public void publish() {
        Map<String, Object> caps = capabilities();
        String ts = pythonTimestamp(LocalDateTime.now(ZoneOffset.UTC));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("service_name", "backup");
        a.put("host", host);
        a.put("capabilities", caps);
        a.put("cluster_name", clusterName);
        a.put("timestamp", ts);
        client.fanoutCast(SCHEDULER_TOPIC, "update_service_capabilities", a, "3.3", RpcContext.admin());
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("service_name", "backup");
        n.put("capabilities", caps);
        n.put("backend", clusterName != null ? clusterName : host);
        n.put("timestamp", ts);
        try {
            client.cast(SCHEDULER_TOPIC, null, "notify_service_capabilities", n, "3.5", RpcContext.admin());
        } catch (RuntimeException e) {
            LOG.debug("notify_service_capabilities: {}", e.toString());
        }
        LOG.debug("published backup capabilities {}", caps);
    }

    /** Publishes on a worker; errors are logged (the next period tries again). */
    public void publishAsync() {
        try {
            workers.execute(() -> {
                try {
                    publish();
                } catch (RuntimeException e) {
                    LOG.warn("publishing the service capabilities failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("publishing the service capabilities skipped: worker pool full or stopped");
        }
    }

    /** Publishes now and then every {@code interval}. */
    public synchronized void start(Vertx vertx, Duration interval) {
        this.vertx = vertx;
        publishAsync();
        timer = vertx.setPeriodic(Math.max(1000, interval.toMillis()), id -> publishAsync());
    }

    @Override
    public synchronized void close() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
