package dev.ember.rpc.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import dev.ember.rpc.oslo.OsloCodec;
import dev.ember.rpc.oslo.RemoteFailure;
import dev.ember.rpc.oslo.RpcReply;
import dev.ember.rpc.oslo.RpcRequest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A stand-in cinder-volume RPC server for tests, on the real broker with the plain RabbitMQ Java
 * client: consumes {@code <topic>.<server>} (e.g. {@code cinder-volume.peer@ceph.peer}) on the
 * control exchange, records every request and answers calls with what {@code answer} returns for
 * it (a result, or a {@link RemoteFailure} to reply with).
 */
public final class FakeCinderVolume implements AutoCloseable {

    public final List<RpcRequest> requests = new CopyOnWriteArrayList<>();
    private final Connection conn;
    private final Channel ch;

    public FakeCinderVolume(String host, int port, String vhost, String exchange, String routingKey,
                            Function<RpcRequest, Object> answer) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(host);
        f.setPort(port);
        f.setUsername("guest");
        f.setPassword("guest");
        f.setVirtualHost(vhost);
        conn = f.newConnection("fake cinder-volume");
        ch = conn.createChannel();
        ch.exchangeDeclare(exchange, "topic", false, false, null);
        ch.queueDeclare(routingKey, false, false, false, null);
        ch.queueBind(routingKey, exchange, routingKey);
        DeliverCallback cb = (tag, d) -> {
            RpcRequest req = OsloCodec.decodeRequest(d.getBody());
            requests.add(req);
            if (req.isCall()) {
                Object r;
                try {
                    r = answer.apply(req);
                } catch (RuntimeException e) {
                    r = new RemoteFailure("VolumeBackendAPIException", "cinder.exception", e.getMessage(),
                            List.of(), List.of(), Map.of());
                }
                RpcReply reply = r instanceof RemoteFailure rf ? RpcReply.failure(req.msgId(), rf)
                        : RpcReply.success(req.msgId(), r);
                ch.basicPublish("", req.replyQueue(), new AMQP.BasicProperties.Builder()
                        .contentType("application/json").contentEncoding("utf-8").build(), OsloCodec.encode(reply));
            }
            ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
        };
        ch.basicConsume(routingKey, false, cb, t -> { });
    }

    public List<String> methods() {
        return requests.stream().map(RpcRequest::method).toList();
    }

    /** Waits until {@code n} requests arrived. */
    public void awaitRequests(int n, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (requests.size() < n && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            conn.close(5000);
        } catch (Exception e) {
            // gone
        }
    }
}
