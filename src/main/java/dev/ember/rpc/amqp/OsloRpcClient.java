package dev.ember.rpc.amqp;

import dev.ember.error.CinderException;
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

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A generic oslo.messaging RPC client on RabbitMQ (what {@code oslo_messaging.RPCClient} with the
 * rabbit driver does), for Ember's outgoing messages to other cinder services: directed casts and
 * calls on the control exchange (routing key {@code <topic>} or {@code <topic>.<server>}), fanout
 * casts on {@code <topic>_fanout}, and raw publishes (notifications). Every publish waits for the
 * broker's confirm and is retried (every rabbit_retry_interval) while the broker is unreachable, up
 * to rpc_response_timeout; calls wait for the reply on this client's {@code reply_<uuid hex>} queue.
 *
 * <p>Blocking: call the methods from worker threads, never from an event loop.
 */
public final class OsloRpcClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OsloRpcClient.class);

    private final RabbitSettings settings;
    private final RabbitMQClient client;
    private final ContextInternal ctx;
    private final String replyQueue = "reply_" + RpcRequest.newId();
    private final Map<String, CompletableFuture<RpcReply>> waiting = new ConcurrentHashMap<>();
    private final Set<String> declaredExchanges = ConcurrentHashMap.newKeySet();
    private final Set<String> declaredQueues = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean firstConnectDone = new AtomicBoolean();
    private volatile RabbitMQConsumer replyConsumer;

    public OsloRpcClient(Vertx vertx, RabbitSettings settings, String connectionName) {
        this.settings = settings;
        this.ctx = RabbitSupport.ownContext(vertx);
        this.client = RabbitMQClient.create(vertx, settings.clientOptions(connectionName));
        client.addConnectionEstablishedCallback(p -> {
            if (!firstConnectDone.get()) {
                p.complete();
                return;
            }
            // A new connection: exchanges/queues we declared may be gone (auto-delete) – declare again lazily.
            declaredExchanges.clear();
            declaredQueues.clear();
            client.confirmSelect().compose(v -> declareReplyQueue()).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warn("re-declaring the reply queue failed: {}", ar.cause().toString());
                }
                p.complete();
            });
        });
    }

    public RabbitSettings settings() {
        return settings;
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
                    return declareReplyQueue();
                })
                .compose(v -> client.basicConsumer(replyQueue, new QueueOptions().setAutoAck(true)))
                .map(c -> {
                    replyConsumer = c;
                    c.handler(this::onReply);
                    c.exceptionHandler(e -> LOG.warn("reply consumer: {}", e.toString()));
                    return (Void) null;
                }));
    }

    /** Starts and waits (worker threads only). */
    public OsloRpcClient startBlocking(Duration timeout) {
        try {
            start().toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting the RPC client", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the RPC client did not connect: " + e, e);
        }
    }

    private Future<Void> declareReplyQueue() {
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

    /** oslo's routing key for a target: {@code topic} or {@code topic.server}. */
    public static String routingKey(String topic, String server) {
        return server == null || server.isEmpty() ? topic : topic + "." + server;
    }

    /** A cast to {@code topic[.server]} on the control exchange; returns once the broker confirmed it. */
    public void cast(String topic, String server, String method, Map<String, ?> args, String version,
                     RpcContext context) {
        RpcRequest req = RpcRequest.cast(method, args, version, context == null ? RpcContext.admin() : context);
        publishToQueue(routingKey(topic, server), OsloCodec.encode(req), null);
        LOG.debug("cast {} v{} to {}", method, version, routingKey(topic, server));
    }

    /** A fanout cast: exchange {@code <topic>_fanout} (declared as oslo does: fanout, non-durable, auto-delete). */
    public void fanoutCast(String topic, String method, Map<String, ?> args, String version, RpcContext context) {
        RpcRequest req = RpcRequest.cast(method, args, version, context == null ? RpcContext.admin() : context);
        String exchange = topic + "_fanout";
        ensureExchange(exchange, "fanout", false, true);
        publish(exchange, "", OsloCodec.encode(req), null);
        LOG.debug("fanout cast {} v{} to {}", method, version, exchange);
    }

    /** A call with the default timeout (rpc_response_timeout). */
    public Object call(String topic, String server, String method, Map<String, ?> args, String version,
                       RpcContext context) {
        return call(topic, server, method, args, version, context, settings.responseTimeout());
    }

    /**
     * A call: the reply's result, or its failure raised ({@link CinderException} for cinder
     * exceptions, {@link dev.ember.rpc.oslo.RemoteRpcException} otherwise); {@link MessagingTimeoutException}
     * when no reply comes within {@code timeout} (also the message's expiration, as oslo sets it).
     */
    public Object call(String topic, String server, String method, Map<String, ?> args, String version,
                       RpcContext context, Duration timeout) {
        RpcRequest req = RpcRequest.call(method, args, version, replyQueue,
                context == null ? RpcContext.admin() : context);
        CompletableFuture<RpcReply> reply = new CompletableFuture<>();
        waiting.put(req.msgId(), reply);
        long timeoutMs = timeout.toMillis();
        String key = routingKey(topic, server);
        try {
            publishToQueue(key, OsloCodec.encode(req), timeoutMs);
            RpcReply r = reply.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (r.failed()) {
                throw CinderFailures.toException(r.failure());
            }
            return r.result();
        } catch (TimeoutException e) {
            throw new MessagingTimeoutException("Timed out waiting for a reply to message ID " + req.msgId()
                    + " (" + method + " to " + key + ")");
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
     * What oslo's notifier does before publishing to {@code routingKey}: declare the exchange (topic)
     * and a queue named like the routing key bound to it, so notifications wait for a consumer.
     */
    public void ensureNotificationQueue(String exchange, String routingKey) {
        ensureExchange(exchange, "topic", settings.durable(), settings.autoDelete());
        if (declaredQueues.contains(exchange + "/" + routingKey)) {
            return;
        }
        await(RabbitSupport.on(ctx, () -> client.queueDeclare(routingKey, settings.durable(), false,
                        settings.autoDelete(), settings.topicQueueArguments())
                .compose(ok -> client.queueBind(routingKey, exchange, routingKey))), "declaring " + routingKey);
        declaredQueues.add(exchange + "/" + routingKey);
    }

    private void ensureExchange(String exchange, String type, boolean durable, boolean autoDelete) {
        if (declaredExchanges.contains(exchange)) {
            return;
        }
        await(RabbitSupport.on(ctx, () -> client.exchangeDeclare(exchange, type, durable, autoDelete)),
                "declaring exchange " + exchange);
        declaredExchanges.add(exchange);
    }

    private void await(Future<?> f, String what) {
        try {
            f.toCompletionStage().toCompletableFuture().get(settings.responseTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CinderException(CinderException.Kind.INTERNAL, "interrupted " + what);
        } catch (ExecutionException | TimeoutException e) {
            throw CinderException.unavailable("The message broker failed " + what + ": "
                    + (e instanceof ExecutionException ? e.getCause() : e));
        }
    }

    /**
     * Publishes and waits for the broker's confirm; retries (every rabbit_retry_interval) while the
     * broker is unreachable, up to rpc_response_timeout.
     */
    public void publish(String exchange, String routingKey, byte[] body, Long expirationMs) {
        publish(exchange, routingKey, body, expirationMs, false);
    }

    /**
     * Publishes a cast or call to a server's queue on the control exchange, declaring that queue
     * first as its server declares it (once per connection): a broker restart drops non-durable
     * queues, and a message confirmed into a missing queue is silently dropped; declared, it
     * waits for its server to come back.
     */
    private void publishToQueue(String routingKey, byte[] body, Long expirationMs) {
        publish(settings.controlExchange(), routingKey, body, expirationMs, true);
    }

    private Future<Void> declareTarget(String exchange, String queue) {
        String key = exchange + "/" + queue;
        if (declaredQueues.contains(key)) {
            return Future.succeededFuture();
        }
        return client.exchangeDeclare(exchange, "topic", settings.durable(), settings.autoDelete())
                .compose(v -> client.queueDeclare(queue, settings.durable(), false, settings.autoDelete(),
                        settings.topicQueueArguments()))
                .compose(ok -> client.queueBind(queue, exchange, queue))
                .onSuccess(v -> declaredQueues.add(key));
    }

    private void publish(String exchange, String routingKey, byte[] body, Long expirationMs, boolean declareQueue) {
        long deadline = System.nanoTime() + settings.responseTimeout().toNanos();
        long confirmTimeout = Math.max(1000, Math.min(settings.responseTimeout().toMillis(), 30_000));
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                RabbitSupport.on(ctx, () -> (declareQueue ? declareTarget(exchange, routingKey)
                                : Future.<Void>succeededFuture())
                                .compose(v -> client.basicPublish(exchange, routingKey,
                                        RabbitSupport.properties(expirationMs), Buffer.buffer(body)))
                                .compose(v -> client.waitForConfirms(confirmTimeout)))
                        .toCompletionStage().toCompletableFuture().get(confirmTimeout + 5000, TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CinderException(CinderException.Kind.INTERNAL, "interrupted publishing to " + routingKey);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
                LOG.warn("publishing to {}/{} failed ({}); retrying", exchange, routingKey,
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
