package dev.ember.rpc.amqp;

import dev.ember.rpc.BackupRpcEndpoint;
import dev.ember.rpc.oslo.BackupDispatcher;
import dev.ember.rpc.oslo.BackupRpcExtras;
import dev.ember.rpc.oslo.OsloCodec;
import dev.ember.rpc.oslo.RpcReply;
import dev.ember.rpc.oslo.RpcRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cinder-backup RPC server on RabbitMQ, speaking oslo.messaging's rabbit driver.
 *
 * <p>Topology, as an oslo RPC server for {@code Target(topic='cinder-backup', server=host)} declares it
 * (see tests/rpc/captures/rabbitmq-topology.txt): the control exchange (topic; durable =
 * amqp_durable_queues, auto-delete = amqp_auto_delete); queues {@code cinder-backup} and
 * {@code cinder-backup.<host>} bound to it with their own names as routing keys (same flags, no
 * arguments); fanout exchange {@code cinder-backup_fanout} (non-durable, auto-delete) with queue
 * {@code cinder-backup_fanout_<uuid4 hex>} (non-durable, not auto-delete, {@code x-expires}
 * rabbit_transient_queues_ttl) bound with routing key {@code cinder-backup}. It is re-declared
 * whenever the connection is (re-)established.
 *
 * <p>Consumption: manual ack, {@code basic.qos} prefetch = backup_max_operations per consumer. Each
 * message is decoded on the event loop and dispatched on {@code workers} (the manager's bounded
 * pool), never on the event loop. Calls are answered on the default exchange with routing key
 * {@code _reply_q}; casts get no reply.
 *
 * <p><b>Acknowledgement</b> (differs from oslo, which acks on receipt): a message is acked only
 * after the endpoint method returned or failed (and, for a call, after the reply was published).
 * A message whose work was interrupted by a crash or a lost connection is therefore redelivered;
 * {@code _unique_id}s of recently handled messages are remembered so a redelivery of finished work
 * is acked without running it again. Consequence: while {@code prefetch} long casts run on a queue,
 * further messages on that queue (calls too) wait in the broker. When the manager records taken work
 * durably (e.g. the backup's status row), acking can move to that point.
 */
public final class AmqpRpcServer implements AutoCloseable {

    public static final String TOPIC = "cinder-backup";
    private static final Logger LOG = LoggerFactory.getLogger(AmqpRpcServer.class);
    private static final int REMEMBERED_IDS = 1024;

    private final Vertx vertx;
    private final RabbitSettings settings;
    private final String host;
    private final BackupDispatcher dispatcher;
    private final ExecutorService workers;
    private final RabbitMQClient client;
    private final ContextInternal ctx;
    private final String fanoutQueue;
    private final AtomicBoolean firstConnectDone = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<RabbitMQConsumer> consumers = new ArrayList<>();
    private final AtomicLong connections = new AtomicLong();
    private final Map<String, Handling> recent = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Handling> e) {
            return size() > REMEMBERED_IDS && e.getValue().done;
        }
    };

    /** A message being (or recently) handled, with the deliveries to ack when done. */
    private static final class Handling {
        final List<long[]> deliveries = new ArrayList<>(); // {deliveryTag, channelInstance}
        boolean done;
    }

    /**
     * @param vertx    Ember's Vert.x instance
     * @param settings transport options ({@link RabbitSettings#fromConfig})
     * @param host     {@code [DEFAULT] host}, the server part of the target
     * @param endpoint the backup manager
     * @param extras   the methods the endpoint lacks ({@link BackupRpcExtras#defaults()})
     * @param workers  the manager's bounded pool; its shutdown is the caller's business
     */
    public AmqpRpcServer(Vertx vertx, RabbitSettings settings, String host, BackupRpcEndpoint endpoint,
                         BackupRpcExtras extras, ExecutorService workers) {
        this.vertx = vertx;
        this.settings = settings;
        this.host = host;
        this.dispatcher = new BackupDispatcher(endpoint, extras);
        this.workers = workers;
        this.ctx = RabbitSupport.ownContext(vertx);
        this.client = RabbitMQClient.create(vertx, settings.clientOptions("ember cinder-backup server " + host));
        this.fanoutQueue = TOPIC + "_fanout_" + RpcRequest.newId();
        client.addConnectionEstablishedCallback(this::onConnectionEstablished);
    }

    public String topicQueue() {
        return TOPIC;
    }

    public String hostQueue() {
        return TOPIC + "." + host;
    }

    public String fanoutExchange() {
        return TOPIC + "_fanout";
    }

    public String fanoutQueue() {
        return fanoutQueue;
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /** How many times a connection was established (1 after start, +1 per reconnect). */
    public long connectionCount() {
        return connections.get();
    }

    /** Connects (retrying every rabbit_retry_interval until the broker answers), declares, consumes. */
    public Future<Void> start() {
        return RabbitSupport.on(ctx, () -> client.start()
                .compose(v -> {
                    firstConnectDone.set(true);
                    return declareTopology();
                })
                .compose(v -> consume(topicQueue()))
                .compose(v -> consume(hostQueue()))
                .compose(v -> consume(fanoutQueue))
                .onSuccess(v -> LOG.info("cinder-backup RPC server for host {} consuming on {} (exchange {}, "
                        + "prefetch {})", host, settings.transportUrl(), settings.controlExchange(),
                        settings.prefetch())));
    }

    private void onConnectionEstablished(Promise<Void> p) {
        connections.incrementAndGet();
        if (!firstConnectDone.get()) {
            p.complete(); // start() declares after the first connect itself
            return;
        }
        LOG.info("RabbitMQ connection re-established; declaring cinder-backup topology again");
        declareTopology().onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("re-declaring the topology failed: {}", ar.cause().toString());
            }
            p.complete();
        });
    }

    /** Exactly oslo's declarations for this server, plus the prefetch of the (new) channel. */
    Future<Void> declareTopology() {
        String exchange = settings.controlExchange();
        boolean durable = settings.durable();
        boolean autoDelete = settings.autoDelete();
        return client.basicQos(settings.prefetch(), false)
                .compose(v -> client.exchangeDeclare(exchange, "topic", durable, autoDelete))
                .compose(v -> client.queueDeclare(topicQueue(), durable, false, autoDelete,
                        settings.topicQueueArguments()))
                .compose(ok -> client.queueBind(topicQueue(), exchange, topicQueue()))
                .compose(v -> client.queueDeclare(hostQueue(), durable, false, autoDelete,
                        settings.topicQueueArguments()))
                .compose(ok -> client.queueBind(hostQueue(), exchange, hostQueue()))
                .compose(v -> client.exchangeDeclare(fanoutExchange(), "fanout", false, true))
                .compose(v -> client.queueDeclare(fanoutQueue, false, false, false,
                        settings.transientQueueArguments()))
                .compose(ok -> client.queueBind(fanoutQueue, fanoutExchange(), TOPIC));
    }

    private Future<Void> consume(String queue) {
        return client.basicConsumer(queue, new QueueOptions().setAutoAck(false)
                        .setMaxInternalQueueSize(Math.max(16, settings.prefetch() * 2)))
                .map(c -> {
                    c.handler(m -> onMessage(queue, m));
                    c.exceptionHandler(e -> LOG.warn("consumer of {}: {}", queue, e.toString()));
                    // The broker cancelled the consumer (queue deleted, failover): declare and consume again.
                    c.endHandler(v -> {
                        if (!stopping.get()) {
                            LOG.warn("consumer of {} was cancelled by the broker; consuming again", queue);
                            vertx.setTimer(Math.max(100, settings.retryInterval().toMillis()),
                                    id -> RabbitSupport.on(ctx, () -> declareTopology().compose(x -> consume(queue)))
                                            .onFailure(e -> LOG.warn("re-consuming {} failed: {}", queue,
                                                    e.toString())));
                        }
                    });
                    synchronized (consumers) {
                        consumers.add(c);
                    }
                    return null;
                });
    }

    private void onMessage(String queue, RabbitMQMessage m) {
        long tag = m.envelope().getDeliveryTag();
        long channel = RabbitSupport.channelInstance(client);
        RpcRequest req;
        try {
            req = OsloCodec.decodeRequest(m.body().getBytes());
        } catch (RuntimeException e) {
            LOG.error("dropping undecodable message on {}: {}", queue, e.getMessage());
            ack(tag, channel);
            return;
        }
        String uid = req.uniqueId();
        if (uid != null) {
            synchronized (recent) {
                Handling h = recent.get(uid);
                if (h != null) {
                    if (h.done) {
                        LOG.info("{} {} (_unique_id {}) was already handled: acking the redelivery",
                                req.isCall() ? "call" : "cast", req.method(), uid);
                        ack(tag, channel);
                    } else {
                        LOG.info("{} (_unique_id {}) redelivered while still running", req.method(), uid);
                        h.deliveries.add(new long[]{tag, channel});
                    }
                    return;
                }
                h = new Handling();
                h.deliveries.add(new long[]{tag, channel});
                recent.put(uid, h);
            }
        }
        try {
            workers.execute(() -> handle(req, tag, channel));
        } catch (RejectedExecutionException e) {
            LOG.warn("worker pool refused {}; returning the message to the queue", req.method());
            if (uid != null) {
                synchronized (recent) {
                    recent.remove(uid);
                }
            }
            RabbitSupport.on(ctx, () -> client.basicNack(tag, false, true));
        }
    }

    private void handle(RpcRequest req, long tag, long channel) {
        String rid = req.context().requestId();
        if (rid != null) {
            MDC.put("request_id", rid);
        }
        try {
            LOG.debug("dispatching {} {} v{}", req.isCall() ? "call" : "cast", req.method(), req.version());
            BackupDispatcher.Outcome out = dispatcher.dispatch(req);
            if (out.failed()) {
                if (out.error() != null && !(out.error() instanceof dev.ember.error.CinderException)) {
                    LOG.error("Exception during message handling: {}", req.method(), out.error());
                } else {
                    LOG.warn("{} failed: {}: {}", req.method(), out.failure().className(), out.failure().message());
                }
            }
            if (req.isCall() && req.replyQueue() != null) {
                RpcReply reply = out.failed() ? RpcReply.failure(req.msgId(), out.failure())
                        : RpcReply.success(req.msgId(), out.result());
                sendReply(req.replyQueue(), reply);
            }
        } catch (RuntimeException e) {
            LOG.error("handling {} failed", req.method(), e);
        } finally {
            finish(req, tag, channel);
            MDC.remove("request_id");
        }
    }

    /** Publishes a reply, retrying while the connection is down, up to rpc_response_timeout. */
    private void sendReply(String replyQueue, RpcReply reply) {
        byte[] body = OsloCodec.encode(reply);
        long deadline = System.nanoTime() + settings.responseTimeout().toNanos();
        while (true) {
            try {
                RabbitSupport.on(ctx, () -> client.basicPublish("", replyQueue, RabbitSupport.properties(null),
                        Buffer.buffer(body))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline || stopping.get()) {
                    LOG.error("could not send the reply to {}: {}", replyQueue, e.toString());
                    return;
                }
                LOG.warn("sending the reply to {} failed ({}); retrying", replyQueue, e.toString());
                try {
                    Thread.sleep(Math.max(100, settings.retryInterval().toMillis()));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void finish(RpcRequest req, long tag, long channel) {
        List<long[]> toAck;
        if (req.uniqueId() == null) {
            toAck = List.of(new long[]{tag, channel});
        } else {
            synchronized (recent) {
                Handling h = recent.get(req.uniqueId());
                if (h == null) {
                    toAck = List.of(new long[]{tag, channel});
                } else {
                    h.done = true;
                    toAck = new ArrayList<>(h.deliveries);
                    h.deliveries.clear();
                }
            }
        }
        for (long[] d : toAck) {
            ack(d[0], d[1]);
        }
    }

    private void ack(long tag, long channel) {
        if (channel != RabbitSupport.channelInstance(client)) {
            // The channel the message came on is gone: the broker has requeued it and will redeliver it;
            // the remembered _unique_id makes that redelivery a plain ack.
            LOG.debug("not acking delivery {} of a closed channel", tag);
            return;
        }
        RabbitSupport.on(ctx, () -> client.basicAck(tag, false))
                .onFailure(e -> LOG.warn("ack of delivery {} failed: {}", tag, e.toString()));
    }

    /** Stops consuming and closes the connection; unacked messages go back to their queues. */
    public Future<Void> stop() {
        if (!stopping.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        List<RabbitMQConsumer> cs;
        synchronized (consumers) {
            cs = new ArrayList<>(consumers);
            consumers.clear();
        }
        return RabbitSupport.on(ctx, () -> {
            List<Future<Void>> cancels = new ArrayList<>();
            for (RabbitMQConsumer c : cs) {
                cancels.add(c.cancel().recover(e -> Future.succeededFuture()));
            }
            return Future.join(cancels).transform(ar -> client.stop());
        });
    }

    @Override
    public void close() {
        try {
            stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("stopping the RPC server", e);
        }
    }
}
