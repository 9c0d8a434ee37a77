package dev.ember.rpc.amqp;

import dev.ember.error.CinderException;
import dev.ember.rpc.BackupRpc;
import dev.ember.rpc.oslo.BackupObject;
import dev.ember.rpc.oslo.CinderFailures;
import dev.ember.rpc.oslo.OsloCodec;
import dev.ember.rpc.oslo.RpcContext;
import dev.ember.rpc.oslo.RpcReply;
import dev.ember.rpc.oslo.RpcRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@link BackupRpc} over RabbitMQ as cinder's {@code BackupAPI} (cinder/backup/rpcapi.py) sends it,
 * so the receiver can be Ember or a stock Python cinder-backup.
 *
 * <p>Casts are published to the control exchange with routing key {@code cinder-backup.<host>} on a
 * channel in confirm mode; a cast returns only once the broker confirmed it (while the broker is
 * unreachable it retries up to rpc_response_timeout, then fails with 503-kind CinderException).
 * Calls additionally carry {@code _msg_id}/{@code _reply_q} (queue {@code reply_<uuid4 hex>},
 * non-durable, {@code x-expires}) and the message expiration rpc_response_timeout; the reply's
 * failure is raised as {@link CinderException} when it is a cinder exception,
 * {@link dev.ember.rpc.oslo.RemoteRpcException} otherwise; no reply in time raises
 * {@link MessagingTimeoutException}.
 *
 * <p>Blocking: call the {@link BackupRpc} methods from worker threads, never from an event loop.
 */
public final class AmqpBackupRpc implements BackupRpc, AutoCloseable {

    public static final String TOPIC = AmqpRpcServer.TOPIC;
    /** Zed's cinder-backup RPC version: the cap unless the wiring knows better (2.4 adds volume_is_new). */
    public static final String DEFAULT_VERSION_CAP = "2.3";
    private static final Logger LOG = LoggerFactory.getLogger(AmqpBackupRpc.class);

    private final RabbitSettings settings;
    private final BackupObjectSource backups;
    private final Supplier<RpcContext> context;
    private final Supplier<String> versionCap;
    private final RabbitMQClient client;
    private final ContextInternal ctx;
    private final String replyQueue = "reply_" + RpcRequest.newId();
    private final Map<String, CompletableFuture<RpcReply>> waiting = new ConcurrentHashMap<>();
    private final AtomicBoolean firstConnectDone = new AtomicBoolean();
    private volatile RabbitMQConsumer replyConsumer;

    /** Casts and calls carry an admin context acting for the backup's project; cap {@value #DEFAULT_VERSION_CAP}. */
    public AmqpBackupRpc(Vertx vertx, RabbitSettings settings, BackupObjectSource backups) {
        this(vertx, settings, backups, null, () -> DEFAULT_VERSION_CAP);
    }

    /**
     * @param context    the request context to send (null: admin context with the backup's user/project)
     * @param versionCap the highest cinder-backup RPC version the receivers understand (as cinder reads
     *                   it from the services table), e.g. "2.3"
     */
    public AmqpBackupRpc(Vertx vertx, RabbitSettings settings, BackupObjectSource backups,
                         Supplier<RpcContext> context, Supplier<String> versionCap) {
        this.settings = settings;
        this.backups = backups;
        this.context = context;
        this.versionCap = versionCap == null ? () -> DEFAULT_VERSION_CAP : versionCap;
        this.ctx = RabbitSupport.ownContext(vertx);
        this.client = RabbitMQClient.create(vertx, settings.clientOptions("ember cinder-backup client"));
        client.addConnectionEstablishedCallback(p -> {
            if (!firstConnectDone.get()) {
                p.complete();
                return;
            }
            declare().onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warn("re-declaring the reply queue failed: {}", ar.cause().toString());
                }
                p.complete();
            });
        });
    }

    public String replyQueue() {
        return replyQueue;
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    public Future<Void> start() {
        return RabbitSupport.on(ctx, () -> client.start()
                .compose(v -> client.confirmSelect())
                .compose(v -> {
                    firstConnectDone.set(true);
                    return declare();
                })
                .compose(v -> client.basicConsumer(replyQueue, new QueueOptions().setAutoAck(true)))
                .map(c -> {
                    replyConsumer = c;
                    c.handler(this::onReply);
                    c.exceptionHandler(e -> LOG.warn("reply consumer: {}", e.toString()));
                    return (Void) null;
                }));
    }

    /** What oslo declares for a caller: the control exchange (publishing declares it) and the reply queue. */
    private Future<Void> declare() {
        return client.exchangeDeclare(settings.controlExchange(), "topic", settings.durable(), settings.autoDelete())
                .compose(v -> client.queueDeclare(replyQueue, false, false, false,
                        settings.transientQueueArguments()))
                .mapEmpty();
    }

    private void onReply(RabbitMQMessage m) {
        RpcReply r;
        try {
            r = OsloCodec.decodeReply(m.body().getBytes());
        } catch (RuntimeException e) {
            LOG.warn("undecodable reply dropped: {}", e.getMessage());
            return;
        }
        if (!r.ending() && !r.failed()) {
            return; // a call-monitor heartbeat
        }
        CompletableFuture<RpcReply> f = r.msgId() == null ? null : waiting.remove(r.msgId());
        if (f == null) {
            LOG.info("reply for unknown or timed-out call {} ignored", r.msgId());
            return;
        }
        f.complete(r);
    }

    // ------------------------------------------------------------------ BackupRpc

    @Override
    public void createBackup(String host, String backupId) {
        BackupObject b = backups.load(backupId);
        cast(host, "create_backup", args("backup", b.toPrimitive()), "2.0", b);
    }

    @Override
    public void restoreBackup(String host, String backupId, String volumeId, boolean volumeIsNew) {
        BackupObject b = backups.load(backupId);
        Map<String, Object> a = args("backup", b.toPrimitive());
        a.put("volume_id", volumeId);
        if (canSend("2.4")) {
            a.put("volume_is_new", volumeIsNew);
            cast(host, "restore_backup", a, "2.4", b);
        } else {
            cast(host, "restore_backup", a, "2.0", b);
        }
    }

    @Override
    public void deleteBackup(String host, String backupId) {
        BackupObject b = backups.load(backupId);
        cast(host, "delete_backup", args("backup", b.toPrimitive()), "2.0", b);
    }

    @Override
    public void resetStatus(String host, String backupId, String status) {
        BackupObject b = backups.load(backupId);
        Map<String, Object> a = args("backup", b.toPrimitive());
        a.put("status", status);
        cast(host, "reset_status", a, "2.0", b);
    }

    @Override
    @SuppressWarnings("unchecked")
    public ExportedRecord exportRecord(String host, String backupId) {
        BackupObject b = backups.load(backupId);
        Object result = call(host, "export_record", args("backup", b.toPrimitive()), "2.0", b);
        if (!(result instanceof Map<?, ?> m)) {
            throw new CinderException(CinderException.Kind.INTERNAL, "export_record returned " + result);
        }
        Map<String, Object> r = (Map<String, Object>) m;
        return new ExportedRecord((String) r.get("backup_service"), (String) r.get("backup_url"));
    }

    @Override
    public void importRecord(String host, String backupId, String backupService, String backupUrl,
                             List<String> backupHosts) {
        BackupObject b = backups.load(backupId);
        Map<String, Object> a = args("backup", b.toPrimitive());
        a.put("backup_service", backupService);
        a.put("backup_url", backupUrl);
        a.put("backup_hosts", backupHosts == null ? List.of() : backupHosts);
        cast(host, "import_record", a, "2.0", b);
    }

    @Override
    public boolean checkSupportToForceDelete(String host) {
        Object r = call(host, "check_support_to_force_delete", new LinkedHashMap<>(), "2.0", null);
        return Boolean.TRUE.equals(r);
    }

    // ------------------------------------------------------------------ generic

    private static Map<String, Object> args(String k, Object v) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put(k, v);
        return a;
    }

    private boolean canSend(String version) {
        String cap = versionCap.get();
        if (cap == null) {
            return true;
        }
        String[] c = cap.split("\\.");
        String[] v = version.split("\\.");
        int cm = Integer.parseInt(c[0]);
        int vm = Integer.parseInt(v[0]);
        return cm == vm ? Integer.parseInt(c[1]) >= Integer.parseInt(v[1]) : cm > vm;
    }

    private RpcContext contextFor(BackupObject b) {
        if (context != null) {
            RpcContext c = context.get();
            if (c != null) {
                return c;
            }
        }
        if (b == null) {
            return RpcContext.admin();
        }
        return RpcContext.of(b.userId(), b.projectId(), true, List.of("admin"), null, null, null);
    }

    /** A cast to {@code cinder-backup.<host>}; returns once the broker confirmed it. */
    public void cast(String host, String method, Map<String, Object> args, String version, BackupObject about) {
        RpcRequest req = RpcRequest.cast(method, args, version, contextFor(about));
        publish(TOPIC + "." + host, OsloCodec.encode(req), null);
        LOG.debug("cast {} to {}.{}", method, TOPIC, host);
    }

    /** A call to {@code cinder-backup.<host>}: the reply's result, or its failure raised. */
    public Object call(String host, String method, Map<String, Object> args, String version, BackupObject about) {
        RpcRequest req = RpcRequest.call(method, args, version, replyQueue, contextFor(about));
        CompletableFuture<RpcReply> reply = new CompletableFuture<>();
        waiting.put(req.msgId(), reply);
        long timeoutMs = settings.responseTimeout().toMillis();
        try {
            publish(TOPIC + "." + host, OsloCodec.encode(req), timeoutMs);
            RpcReply r = reply.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (r.failed()) {
                throw CinderFailures.toException(r.failure());
            }
            return r.result();
        } catch (TimeoutException e) {
            throw new MessagingTimeoutException("Timed out waiting for a reply to message ID " + req.msgId()
                    + " (" + method + " to " + TOPIC + "." + host + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CinderException(CinderException.Kind.INTERNAL, "interrupted waiting for " + method);
        } catch (ExecutionException e) {
            throw new CinderException(CinderException.Kind.INTERNAL, method + " failed: " + e.getCause());
        } finally {
            waiting.remove(req.msgId());
        }
    }

    /**
     * Publishes on the control exchange and waits for the broker's confirm; retries (every
     * rabbit_retry_interval) while the broker is unreachable, up to rpc_response_timeout.
     */
    private void publish(String routingKey, byte[] body, Long expirationMs) {
        long deadline = System.nanoTime() + settings.responseTimeout().toNanos();
        long confirmTimeout = Math.max(1000, Math.min(settings.responseTimeout().toMillis(), 30_000));
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                // The target queue is declared (as its server declares it) before every publish: a
                // broker restart drops non-durable queues, and a cast confirmed into a missing queue
                // would be silently lost. Declared here, it waits for the server to come back.
                RabbitSupport.on(ctx, () -> client.exchangeDeclare(settings.controlExchange(), "topic",
                                settings.durable(), settings.autoDelete())
                                .compose(v -> client.queueDeclare(routingKey, settings.durable(), false,
                                        settings.autoDelete(), settings.topicQueueArguments()))
                                .compose(ok -> client.queueBind(routingKey, settings.controlExchange(), routingKey))
                                .compose(v -> client.basicPublish(settings.controlExchange(), routingKey,
                                        RabbitSupport.properties(expirationMs), Buffer.buffer(body)))
                                .compose(v -> client.waitForConfirms(confirmTimeout)))
                        .toCompletionStage().toCompletableFuture().get(confirmTimeout + 5000, TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CinderException(CinderException.Kind.INTERNAL, "interrupted publishing to " + routingKey);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
                LOG.warn("publishing to {} failed ({}); retrying", routingKey,
                        e instanceof ExecutionException ? e.getCause().toString() : e.toString());
                try {
                    Thread.sleep(Math.max(100, settings.retryInterval().toMillis()));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw CinderException.unavailable("The message broker did not accept the message for " + routingKey
                + (last == null ? "" : ": " + (last instanceof ExecutionException ? last.getCause() : last)));
    }

    public Future<Void> stop() {
        waiting.values().forEach(f -> f.completeExceptionally(new IllegalStateException("RPC client stopped")));
        RabbitMQConsumer c = replyConsumer;
        replyConsumer = null;
        // Cancel first: a consumer still active when the connection closes makes the client reconnect.
        return RabbitSupport.on(ctx, () -> (c == null ? Future.<Void>succeededFuture()
                : c.cancel().recover(e -> Future.<Void>succeededFuture())).transform(ar -> client.stop()));
    }

    @Override
    public void close() {
        try {
            stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("stopping the RPC client", e);
        }
    }
}
